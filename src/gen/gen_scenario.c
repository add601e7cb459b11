/*
 * The table of attack scenarios `coalmine gen` can inject on top of the
 * benign background (see struct cm_gen_scenario in gen.h). Each scenario
 * will live in its own gen_sc_<name>.c and be listed here; the table is
 * empty until the first one lands.
 */
#include "gen/gen.h"

#include <string.h>

const struct cm_gen_scenario *const cm_gen_scenarios[] = {
    NULL,
};

const struct cm_gen_scenario *cm_gen_scenario_find(const char *name)
{
    size_t i;

    for (i = 0; cm_gen_scenarios[i] != NULL; i++) {
        if (strcmp(cm_gen_scenarios[i]->name, name) == 0) {
            return cm_gen_scenarios[i];
        }
    }
    return NULL;
}
