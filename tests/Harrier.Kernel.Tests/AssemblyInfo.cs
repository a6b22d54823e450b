// Kernel tests share one kernel: several probe sets, cgroup programs, seccomp launchers and harrier processes at once
// would compete for the 2 CPUs and make the 1 s event deadlines a matter of luck. Collections run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
