using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Harrier.Outputs.Kafka;

/// <summary>
/// Loads librdkafka once per process. librdkafka.redist's default Linux build needs libsasl2.so.3, which Debian 12 lacks;
/// its <c>centos8-librdkafka.so</c> build loads without extra libraries, so that one is preferred. Search order:
/// <c>HARRIER_LIBRDKAFKA</c>, then <c>centos8-librdkafka.so</c> and <c>librdkafka.so</c> beside the program and under
/// <c>runtimes/linux-x64/native/</c> (where <c>dotnet build</c>/<c>publish</c> put the package's native files). Thread-safe.
/// </summary>
public static class KafkaNativeLibrary
{
    private static readonly Lock s_lock = new();
    private static string? s_path;

    /// <summary>The file that was loaded, once <see cref="EnsureLoaded"/> succeeded.</summary>
    public static string? LoadedPath => Volatile.Read(ref s_path);

    /// <summary>Loads librdkafka if not yet loaded and returns its path.</summary>
    /// <exception cref="InvalidOperationException">No candidate could be loaded; the message lists each attempt.</exception>
    public static string EnsureLoaded()
    {
        lock (s_lock)
        {
            if (s_path is not null)
            {
                return s_path;
            }

            var attempts = new List<string>();
            foreach (string candidate in Candidates())
            {
                if (!File.Exists(candidate))
                {
                    continue;
                }

                if (!NativeLibrary.TryLoad(candidate, out IntPtr handle))
                {
                    attempts.Add($"{candidate}: cannot be loaded (missing dependency?)");
                    continue;
                }

                // Confluent.Kafka binds its P/Invokes to "librdkafka"; point that name at the file we chose. (Its own
                // Library.Load(path) needs "libdl", which glibc 2.34+ systems only ship as libdl.so.2.)
                try
                {
                    NativeLibrary.SetDllImportResolver(
                        typeof(Library).Assembly,
                        (name, _, _) => name == "librdkafka" ? handle : IntPtr.Zero);
                }
                catch (InvalidOperationException)
                {
                    // A resolver was already set by the host: it decides.
                }

                try
                {
                    Library.Load();
                    _ = Library.VersionString;
                    s_path = candidate;
                    return candidate;
                }
                catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or InvalidOperationException or EntryPointNotFoundException or FileLoadException)
                {
                    attempts.Add($"{candidate}: {e.Message}");
                    break;
                }
            }

            throw new InvalidOperationException(
                "librdkafka could not be loaded" + (attempts.Count == 0 ? " (no candidate file found beside the program)" : ": " + string.Join("; ", attempts)));
        }
    }

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("HARRIER_LIBRDKAFKA") is { Length: > 0 } env)
        {
            yield return env;
        }

        string[] dirs =
        [
            AppContext.BaseDirectory,
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"),
            Path.GetDirectoryName(typeof(KafkaNativeLibrary).Assembly.Location) ?? AppContext.BaseDirectory,
        ];
        foreach (string name in new[] { "centos8-librdkafka.so", "librdkafka.so" })
        {
            foreach (string dir in dirs)
            {
                yield return Path.Combine(dir, name);
            }
        }
    }
}
