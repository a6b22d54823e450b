namespace Harrier.Rules;

/// <summary>The value type of a field, which decides the operators it accepts and how literals are parsed.</summary>
public enum FieldType : byte
{
    /// <summary>Text (Falco CHARBUF).</summary>
    String = 0,

    /// <summary>A signed 64-bit integer (Falco INT/UINT, RELTIME, ABSTIME as ns, PORT, FD, PID...).</summary>
    Number = 1,

    Bool = 2,

    /// <summary>An IPv4 or IPv6 address.</summary>
    Ip = 3,

    /// <summary>An address compared against networks in CIDR notation (<c>fd.snet = 10.0.0.0/8</c>).</summary>
    Net = 4,

    /// <summary>Several strings (e.g. <c>proc.aname</c> without an index: every ancestor's name).</summary>
    StringList = 5,

    /// <summary>
    /// An address compared against DNS names (<c>fd.sip.name = example.com</c>): true when the address is one the name
    /// resolves to. Only <c>=</c>, <c>!=</c>, <c>in</c> and <c>exists</c>; printed as the rule-named name it matches.
    /// </summary>
    HostName = 6,
}
