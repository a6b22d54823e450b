using System.Reflection;
using System.Runtime.InteropServices;
using Harrier.Outputs.Kafka;

namespace Harrier.Outputs.Tests.Kafka;

/// <summary>
/// P/Invoke into librdkafka's mock cluster API (test-only). Resolves "librdkafka" to the very library the sink loaded
/// (<see cref="KafkaNativeLibrary"/>), so both live in one process image.
/// </summary>
internal static partial class RdKafkaMock
{
    private const string Lib = "librdkafka";

    static RdKafkaMock()
    {
        NativeLibrary.SetDllImportResolver(typeof(RdKafkaMock).Assembly, Resolve);
    }

    public static void EnsureResolver()
    {
        // Touching the class runs the static constructor.
    }

    [LibraryImport(Lib)]
    public static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(Lib)]
    public static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(Lib)]
    public static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(Lib)]
    public static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(Lib)]
    public static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(Lib)]
    public static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(Lib)]
    public static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [LibraryImport(Lib)]
    public static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Lib)]
    public static partial void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short apiKey, nuint count, int[] errors);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        => name == Lib ? NativeLibrary.Load(KafkaNativeLibrary.EnsureLoaded()) : IntPtr.Zero;
}
