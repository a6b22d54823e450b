using Harrier.Engine.Enrichment;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Engine.Tests.Enrichment;

public sealed class UserResolverTests : IDisposable
{
    private readonly FakeProcfs _fs = new();

    public void Dispose() => _fs.Dispose();

    [Fact]
    public void UserName_KnownAndUnknownIds_ResolveOrGiveEmpty()
    {
        var users = new UserResolver(_fs.Etc, new FakeTimeProvider());

        Assert.Equal("root", users.UserName(0));
        Assert.Equal("alice", users.UserName(1000));
        Assert.Equal(string.Empty, users.UserName(4242));
        Assert.Equal("staff", users.GroupName(50));
        Assert.Equal(string.Empty, users.GroupName(4242));
    }

    [Fact]
    public void Load_MalformedLines_AreSkippedAndCounted()
    {
        File.WriteAllText(Path.Combine(_fs.Etc, "passwd"),
            "# comment\n\nroot:x:0:0:root:/root:/bin/bash\nbroken line\nbob:x:notanumber:1:b:/:/bin/sh\n+nisuser\nroot2:x:0:0:dup:/:/bin/sh\ncarol:x:1001:1001::/home/carol:/bin/sh\n");

        var users = new UserResolver(_fs.Etc, new FakeTimeProvider());

        Assert.Equal("root", users.UserName(0)); // the first entry for an id wins
        Assert.Equal("carol", users.UserName(1001));
        Assert.Equal(2, users.MalformedLines);
        Assert.Equal(2, users.UserCount);
    }

    [Fact]
    public void Refresh_BeforeInterval_DoesNotReread()
    {
        var time = new FakeTimeProvider();
        var users = new UserResolver(_fs.Etc, time, TimeSpan.FromSeconds(5));
        File.WriteAllText(Path.Combine(_fs.Etc, "passwd"), "admin:x:0:0::/:/bin/sh\n");

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(users.Refresh());
        Assert.Equal("root", users.UserName(0));

        time.Advance(TimeSpan.FromSeconds(2));
        int version = users.Version;
        Assert.True(users.Refresh());
        Assert.Equal("admin", users.UserName(0));
        Assert.Equal(version + 1, users.Version);

        time.Advance(TimeSpan.FromSeconds(6));
        Assert.False(users.Refresh()); // unchanged files are not re-read
    }

    [Fact]
    public void Load_MissingFiles_GiveEmptyNamesNotErrors()
    {
        var empty = Path.Combine(_fs.Root, "noetc");
        Directory.CreateDirectory(empty);

        var users = new UserResolver(empty, new FakeTimeProvider());

        Assert.Equal(string.Empty, users.UserName(0));
        Assert.Equal(0, users.UserCount);
    }

    [Fact]
    public void Refresh_FileDeleted_KeepsPreviousNames()
    {
        var time = new FakeTimeProvider();
        var users = new UserResolver(_fs.Etc, time);
        File.Delete(Path.Combine(_fs.Etc, "passwd"));

        time.Advance(TimeSpan.FromMinutes(1));
        users.Refresh();

        Assert.Equal("alice", users.UserName(1000));
    }
}
