using Harrier.Engine.Decoding;

namespace Harrier.Engine.Tests.Decoding;

public sealed class PathNormalizerTests
{
    [Theory]
    [InlineData("/home/u", "a.txt", "/home/u/a.txt")]
    [InlineData("/home/u", "../a.txt", "/home/a.txt")]
    [InlineData("/home/u", "../../../../a", "/a")]
    [InlineData("/home/u", "./x//y/./z/", "/home/u/x/y/z")]
    [InlineData("/", "etc", "/etc")]
    [InlineData("/ignored", "/abs/../b", "/b")]
    [InlineData("/home/u", "", "/home/u")]
    [InlineData(null, "rel", "/rel")]
    public void Resolve_Cases_Normalised(string? baseDir, string path, string expected) =>
        Assert.Equal(expected, PathNormalizer.Resolve(baseDir, path));

    [Fact]
    public void Normalize_AlreadyNormal_SameInstance()
    {
        string p = "/usr/bin/ls";
        Assert.Same(p, PathNormalizer.Normalize(p));
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("/a/b", true)]
    [InlineData("/a/", false)]
    [InlineData("/a//b", false)]
    [InlineData("/a/./b", false)]
    [InlineData("/a/..", false)]
    [InlineData("a/b", false)]
    [InlineData("/a/..b", true)]
    public void IsNormal_Cases(string path, bool expected) => Assert.Equal(expected, PathNormalizer.IsNormal(path));
}
