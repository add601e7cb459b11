# A follow's log lines, for the scripts that run `coalmine scan --follow` or
# `coalmine serve` (sourced after tap.sh).

# read_total LOG: files (objects) the follower says it read, over every poll so far
read_total() {
    sed -n 's/^follow: [^ ]*: \([0-9]*\) files\{0,1\} read.*/\1/p' "$1" 2>/dev/null |
        awk '{s += $1} END {print s + 0}'
}
# at_least LOG N: LOG says N files read or more (for `wait_until ... at_least LOG N`)
at_least() { [ "$(read_total "$1")" -ge "$2" ]; }
