using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harrier.Host.Install;

/// <summary>
/// <c>harrier install [--root DIR]</c> and <c>harrier uninstall [--root DIR] [--purge]</c>: lays out (or removes) the
/// program, the systemd unit, the configuration, the default rules and the state directory under the install root,
/// as listed in <see cref="InstallLayout"/>. The root defaults to <c>/</c>; <c>--root</c> stages into another tree
/// (packaging, tests). Install never overwrites an existing configuration file; uninstall keeps the configuration
/// and any undelivered spool files unless <c>--purge</c>. Exit codes: 0 done, 1 failed (the message says what and
/// where), 2 usage. Every step is printed to the given writer. Not meant to run concurrently with itself.
/// </summary>
internal static class InstallCommand
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode PublicFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Runs the verb in <c>args[0]</c> (<c>install</c> or <c>uninstall</c>) from the running program's directory.</summary>
    public static int Run(string[] args, TextWriter o) => Run(args, o, AppContext.BaseDirectory);

    /// <summary>As <see cref="Run(string[], TextWriter)"/>, installing from <paramref name="programDirectory"/>.</summary>
    internal static int Run(string[] args, TextWriter o, string programDirectory)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(o);
        if (!TryParse(args, out var verb, out var root, out bool purge, out var usageError))
        {
            o.WriteLine($"harrier: {usageError}");
            o.WriteLine("usage: harrier install [--root DIR] | harrier uninstall [--root DIR] [--purge]");
            return 2;
        }

        if (!OperatingSystem.IsLinux())
        {
            o.WriteLine($"harrier {verb}: only Linux hosts are supported");
            return 1;
        }

        try
        {
            return verb == "install" ? Install(root, Path.GetFullPath(programDirectory), o) : Uninstall(root, purge, o);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            o.WriteLine($"harrier {verb}: failed: {ex.Message}");
            return 1;
        }
    }

    private static bool TryParse(string[] args, out string verb, out string root, out bool purge, out string error)
    {
        verb = args.Length > 0 ? args[0] : string.Empty;
        root = "/";
        purge = false;
        error = string.Empty;
        if (verb is not ("install" or "uninstall"))
        {
            error = $"expected install or uninstall, got '{verb}'";
            return false;
        }

        for (int i = 1; i < args.Length; i++)
        {
            var a = args[i];
            if (a == "--root" && i + 1 < args.Length)
            {
                root = args[++i];
            }
            else if (a.StartsWith("--root=", StringComparison.Ordinal))
            {
                root = a["--root=".Length..];
            }
            else if (a == "--purge" && verb == "uninstall")
            {
                purge = true;
            }
            else
            {
                error = $"unknown or incomplete option '{a}' for {verb}";
                return false;
            }
        }

        if (root.Length == 0)
        {
            error = "--root needs a directory";
            return false;
        }

        root = Path.GetFullPath(root);
        return true;
    }

    [SupportedOSPlatform("linux")]
    private static int Install(string root, string programDirectory, TextWriter o)
    {
        programDirectory = Path.TrimEndingDirectorySeparator(programDirectory);
        var unit = Path.Combine(programDirectory, InstallLayout.SourceUnit);
        var config = Path.Combine(programDirectory, InstallLayout.SourceConfig);
        var rules = Path.Combine(programDirectory, InstallLayout.SourceRules);
        var missing = new List<string>();
        if (!File.Exists(Path.Combine(programDirectory, InstallLayout.Executable)))
        {
            missing.Add(Path.Combine(programDirectory, InstallLayout.Executable));
        }

        if (!File.Exists(unit))
        {
            missing.Add(unit);
        }

        if (!File.Exists(config))
        {
            missing.Add(config);
        }

        if (!Directory.Exists(rules))
        {
            missing.Add(rules + "/");
        }

        if (missing.Count > 0)
        {
            o.WriteLine($"harrier install: the program directory {programDirectory} is incomplete (run from a `make build` output); missing:");
            foreach (var m in missing)
            {
                o.WriteLine("  " + m);
            }

            return 1;
        }

        Directory.CreateDirectory(root);
        var programTarget = At(root, InstallLayout.ProgramDirectory);
        CopyProgram(programDirectory, programTarget, o);

        var unitTarget = At(root, InstallLayout.UnitFile);
        EnsureDirectory(Path.GetDirectoryName(unitTarget)!, DirectoryMode);
        CopyFile(unit, unitTarget, PublicFileMode);
        o.WriteLine($"installed {unitTarget}");

        EnsureDirectory(At(root, InstallLayout.ConfigDirectory), DirectoryMode);
        EnsureDirectory(At(root, InstallLayout.DropInDirectory), DirectoryMode);
        var configTarget = At(root, InstallLayout.ConfigFile);
        if (File.Exists(configTarget))
        {
            o.WriteLine($"kept existing {configTarget}");
        }
        else
        {
            WriteConfig(config, configTarget);
            o.WriteLine($"installed {configTarget} (Rules:Paths = {InstallLayout.InstalledRulesPath})");
        }

        var rulesTarget = At(root, InstallLayout.RulesDirectory);
        int ruleFiles = CopyTree(rules, rulesTarget, PublicFileMode);
        o.WriteLine($"installed {ruleFiles} rule file(s) into {rulesTarget}");

        EnsureDirectory(At(root, InstallLayout.StateDirectory), PrivateDirectoryMode);
        EnsureDirectory(At(root, InstallLayout.SpoolDirectory), PrivateDirectoryMode);
        o.WriteLine($"created {At(root, InstallLayout.SpoolDirectory)}");

        if (root == "/")
        {
            o.WriteLine("next: systemctl daemon-reload && systemctl enable --now harrier");
        }

        return 0;
    }

    /// <summary>
    /// Removes the pinned BPF LSM and cgroup enforcement whose directories the installed configuration names
    /// (<c>Enforcement:Lsm:PinRoot</c>, <c>Enforcement:Lsm:CgroupPinRoot</c>), or the defaults. Values that are not
    /// absolute paths are ignored for the defaults. True when nothing was left behind.
    /// </summary>
    internal static bool UnpinEnforcement(string configFile, TextWriter o)
    {
        string lsmRoot = Commands.EnforcementPins.DefaultLsmRoot;
        string? cgroupRoot = null;
        if (File.Exists(configFile))
        {
            try
            {
                var lsm = JsonNode.Parse(File.ReadAllText(configFile))?["Enforcement"]?["Lsm"];
                lsmRoot = Absolute(lsm?["PinRoot"]) ?? lsmRoot;
                cgroupRoot = Absolute(lsm?["CgroupPinRoot"]);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or IOException)
            {
                o.WriteLine($"{configFile}: not readable as JSON ({ex.Message}); unpinning the default directories");
            }
        }

        return Commands.EnforcementPins.Remove(lsmRoot, cgroupRoot ?? Harrier.Engine.Enforcement.CgroupEnforcerOptions.PinRootBeside(lsmRoot), o, o);

        static string? Absolute(JsonNode? node) =>
            node is JsonValue v && v.TryGetValue(out string? text) && text.StartsWith('/') ? text : null;
    }

    [SupportedOSPlatform("linux")]
    private static int Uninstall(string root, bool purge, TextWriter o)
    {
        var programTarget = At(root, InstallLayout.ProgramDirectory);
        if (root == "/")
        {
            o.WriteLine("stop the service first if it runs: systemctl disable --now harrier");

            // Pinned enforcement would otherwise stay in force with nothing left to manage it.
            UnpinEnforcement(At(root, InstallLayout.ConfigFile), o);
        }

        foreach (var file in new[] { At(root, InstallLayout.EnabledLink), At(root, InstallLayout.UnitFile) })
        {
            if (File.Exists(file) || IsLink(file))
            {
                File.Delete(file);
                o.WriteLine($"removed {file}");
            }
        }

        // The shipped rules are the ones the installed program carries; other files in the rules directory are the admin's.
        var rulesTarget = At(root, InstallLayout.RulesDirectory);
        var shipped = Path.Combine(programTarget, InstallLayout.SourceRules);
        if (Directory.Exists(shipped) && Directory.Exists(rulesTarget))
        {
            foreach (var file in Directory.EnumerateFiles(shipped, "*", SearchOption.AllDirectories))
            {
                var installed = Path.Combine(rulesTarget, Path.GetRelativePath(shipped, file));
                if (File.Exists(installed))
                {
                    File.Delete(installed);
                }
            }

            RemoveEmptyDirectories(rulesTarget);
            o.WriteLine($"removed the default rules from {rulesTarget}");
        }

        if (Directory.Exists(programTarget))
        {
            Directory.Delete(programTarget, recursive: true);
            o.WriteLine($"removed {programTarget}");
        }

        var configDir = At(root, InstallLayout.ConfigDirectory);
        var stateDir = At(root, InstallLayout.StateDirectory);
        if (purge)
        {
            foreach (var dir in new[] { configDir, stateDir })
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                    o.WriteLine($"purged {dir}");
                }
            }

            return 0;
        }

        if (Directory.Exists(configDir))
        {
            o.WriteLine($"kept {configDir} (configuration; --purge removes it)");
        }

        if (Directory.Exists(stateDir))
        {
            RemoveEmptyDirectories(stateDir);
            if (Directory.Exists(stateDir))
            {
                int pending = Directory.EnumerateFiles(stateDir, "*", SearchOption.AllDirectories).Count();
                o.WriteLine($"kept {stateDir}: {pending} file(s), e.g. undelivered alerts in the spool (--purge removes them)");
            }
            else
            {
                o.WriteLine($"removed {stateDir}");
            }
        }

        return 0;
    }

    /// <summary>Copies the program into a staging directory beside the target, then swaps it in, so an interrupted
    /// copy never leaves a half-installed program where the unit points.</summary>
    [SupportedOSPlatform("linux")]
    private static void CopyProgram(string source, string target, TextWriter o)
    {
        var fullTarget = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        if (string.Equals(fullTarget, source, StringComparison.Ordinal))
        {
            o.WriteLine($"program already at {fullTarget}: not copied");
            return;
        }

        if (fullTarget.StartsWith(source + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new IOException($"the install target {fullTarget} lies inside the program directory {source}");
        }

        var staging = fullTarget + ".new";
        var old = fullTarget + ".old";
        foreach (var leftover in new[] { staging, old })
        {
            if (Directory.Exists(leftover))
            {
                Directory.Delete(leftover, recursive: true);
            }
        }

        EnsureDirectory(Path.GetDirectoryName(fullTarget)!, DirectoryMode);
        int files = CopyTree(source, staging, mode: null);
        if (Directory.Exists(fullTarget))
        {
            Directory.Move(fullTarget, old);
        }

        Directory.Move(staging, fullTarget);
        if (Directory.Exists(old))
        {
            Directory.Delete(old, recursive: true);
        }

        o.WriteLine($"installed {fullTarget} ({files} files)");
    }

    /// <summary>Copies every file under <paramref name="source"/>; a null mode keeps each file's own mode.</summary>
    [SupportedOSPlatform("linux")]
    private static int CopyTree(string source, string target, UnixFileMode? mode)
    {
        EnsureDirectory(target, DirectoryMode);
        int count = 0;
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            EnsureDirectory(Path.Combine(target, Path.GetRelativePath(source, dir)), DirectoryMode);
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            CopyFile(file, Path.Combine(target, Path.GetRelativePath(source, file)), mode ?? File.GetUnixFileMode(file));
            count++;
        }

        return count;
    }

    [SupportedOSPlatform("linux")]
    private static void CopyFile(string source, string target, UnixFileMode mode)
    {
        File.Copy(source, target, overwrite: true);
        File.SetUnixFileMode(target, mode);
    }

    /// <summary>Writes the default configuration with <c>Rules:Paths</c> pointing at the installed rules.</summary>
    [SupportedOSPlatform("linux")]
    private static void WriteConfig(string source, string target)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        var root = JsonNode.Parse(File.ReadAllText(source), documentOptions: options) as JsonObject
            ?? throw new JsonException($"{source}: the top level is not a JSON object");
        if (root["Rules"] is not JsonObject rules)
        {
            rules = new JsonObject();
            root["Rules"] = rules;
        }

        rules["Paths"] = new JsonArray(InstallLayout.InstalledRulesPath);
        var text = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, IndentSize = 2, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        var temp = target + ".tmp";
        File.WriteAllText(temp, text);
        File.SetUnixFileMode(temp, PrivateFileMode); // may hold broker credentials
        File.Move(temp, target, overwrite: false);
    }

    [SupportedOSPlatform("linux")]
    private static void EnsureDirectory(string path, UnixFileMode mode)
    {
        if (!Directory.Exists(path))
        {
            // Parents get the ordinary mode; only the leaf gets the requested one.
            if (Path.GetDirectoryName(path) is { } parent && parent != path)
            {
                EnsureDirectory(parent, DirectoryMode);
            }

            Directory.CreateDirectory(path, mode);
        }
    }

    private static void RemoveEmptyDirectories(string path)
    {
        foreach (var dir in Directory.EnumerateDirectories(path))
        {
            RemoveEmptyDirectories(dir);
        }

        if (!Directory.EnumerateFileSystemEntries(path).Any())
        {
            Directory.Delete(path);
        }
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    private static string At(string root, string relative) => Path.Combine(root, relative);
}
