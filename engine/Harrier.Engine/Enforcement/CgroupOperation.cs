namespace Harrier.Engine.Enforcement;

/// <summary>Which socket call a cgroup deny entry applies to (values = <c>enum cg_op</c> of lsm-hooks/include/cgroup_net_maps.h).</summary>
public enum CgroupOperation : byte
{
    Connect = 1,
    Bind = 2,
}
