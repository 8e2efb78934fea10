# Sourced by tests/cli.sh and tests/mpi.sh.
# await FILE PID: waits until FILE exists and is not empty; fails as soon as PID (a
# process or a background job) has ended without it. The bound (10 minutes) only
# stops a hang.
await() {
    local file=$1 pid=$2 i
    for ((i = 0; i < 12000; i++)); do
        [ -s "$file" ] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    [ -s "$file" ]
}
