using Harrier.Host.Commands;

namespace Harrier.Host.Tests.Commands;

public sealed class ArgReaderTests
{
    [Fact]
    public void Parse_FlagsValuesRepeatsAndRest_AllCaptured()
    {
        var a = ArgReader.Parse(["--json", "-r", "a.yaml", "--rules=b.yaml", "pos", "--", "--not-an-option", "x"],
            ["--json"], ["-r|--rules"]);
        Assert.Empty(a.Errors);
        Assert.True(a.Has("--json"));
        Assert.Equal(["a.yaml", "b.yaml"], a.Values("-r"));
        Assert.Equal(["pos"], a.Positional);
        Assert.Equal(["--not-an-option", "x"], a.Rest);
    }

    [Fact]
    public void Parse_UnknownOptionAndMissingValue_Reported()
    {
        var a = ArgReader.Parse(["--bogus", "-r"], [], ["-r"]);
        Assert.Equal(["unknown option --bogus", "option -r needs a value"], a.Errors);
    }

    [Fact]
    public void Number_NotANumber_ErrorAndFallback()
    {
        var a = ArgReader.Parse(["--duration", "soon"], [], ["--duration"]);
        Assert.Equal(3, a.Number("--duration", 3));
        Assert.Single(a.Errors);
    }
}
