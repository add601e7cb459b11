/*
 * The version of coalmine and of its engine library.
 */
#ifndef COALMINE_VERSION_H
#define COALMINE_VERSION_H

#define COALMINE_VERSION     "0.1.0"
#define COALMINE_VERSION_NUM 0x000100

#endif
