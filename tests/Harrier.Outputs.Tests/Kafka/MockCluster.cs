using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace Harrier.Outputs.Tests.Kafka;

/// <summary>A librdkafka mock cluster on loopback, owned by its own rd_kafka_t handle. Dispose destroys both.</summary>
internal sealed class MockCluster : IDisposable
{
    public const short ApiProduce = 0;

    private readonly IntPtr _rk;
    private readonly IntPtr _cluster;

    public MockCluster(int brokers = 1)
    {
        RdKafkaMock.EnsureResolver();
        BrokerCount = brokers;
        byte[] err = new byte[512];
        IntPtr conf = RdKafkaMock.rd_kafka_conf_new();
        RdKafkaMock.rd_kafka_conf_set(conf, "log_level", "0", err, (nuint)err.Length);
        _rk = RdKafkaMock.rd_kafka_new(0, conf, err, (nuint)err.Length);
        if (_rk == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_new: " + Encoding.UTF8.GetString(err).TrimEnd('\0'));
        }

        _cluster = RdKafkaMock.rd_kafka_mock_cluster_new(_rk, brokers);
        if (_cluster == IntPtr.Zero)
        {
            RdKafkaMock.rd_kafka_destroy(_rk);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }

        Bootstraps = Marshal.PtrToStringUTF8(RdKafkaMock.rd_kafka_mock_cluster_bootstraps(_cluster))!;
    }

    public string Bootstraps { get; }

    public int BrokerCount { get; }

    public void CreateTopic(string topic, int partitions)
    {
        int rc = RdKafkaMock.rd_kafka_mock_topic_create(_cluster, topic, partitions, Math.Min(BrokerCount, 3));
        if (rc != 0)
        {
            throw new InvalidOperationException($"rd_kafka_mock_topic_create: {rc}");
        }
    }

    public void AllDown()
    {
        for (int id = 1; id <= BrokerCount; id++)
        {
            RdKafkaMock.rd_kafka_mock_broker_set_down(_cluster, id);
        }
    }

    public void AllUp()
    {
        for (int id = 1; id <= BrokerCount; id++)
        {
            RdKafkaMock.rd_kafka_mock_broker_set_up(_cluster, id);
        }
    }

    /// <summary>The next <c>errors.Length</c> Produce requests fail with these errors, in order.</summary>
    public void PushProduceErrors(params ErrorCode[] errors)
        => RdKafkaMock.rd_kafka_mock_push_request_errors_array(_cluster, ApiProduce, (nuint)errors.Length, errors.Select(e => (int)e).ToArray());

    public void Dispose()
    {
        RdKafkaMock.rd_kafka_mock_cluster_destroy(_cluster);
        RdKafkaMock.rd_kafka_destroy(_rk);
    }
}
