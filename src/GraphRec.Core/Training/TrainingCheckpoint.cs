using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using GraphRec.Data;

namespace GraphRec.Core;

/// <summary>Where training stands after an epoch: everything that makes the next epochs what they would have been.</summary>
internal sealed record TrainingState(
    int Epoch, long AdamStep, float[] Embedding, float[] FirstMoment, float[] SecondMoment, double Best, int BestEpoch, int SinceBest,
    float[]? BestWeights, IReadOnlyList<EpochRecord> History);

/// <summary>
/// A training checkpoint in <see cref="LightGcnOptions.CheckpointDirectory"/>: the state after an epoch, with a
/// fingerprint of the data, split and options it belongs to, written to a temporary file and renamed, checksummed. The
/// sampler needs no state of its own: an epoch's triples depend on the seed and the epoch only.
/// </summary>
internal static class TrainingCheckpoint
{
    public const string FileName = "training.checkpoint";
    private static readonly byte[] Magic = "GRCHKPT1"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private sealed record Header(string Fingerprint, int Epoch, long AdamStep, double Best, int BestEpoch, int SinceBest, bool HasBest, IReadOnlyList<EpochRecord> History);

    /// <summary>
    /// A hash of what a run's next epochs depend on: the training and validation interactions, the options that shape the
    /// model and its training (not the epoch count, which a resumed run may raise, nor the threads, which change nothing),
    /// and the kinds of loss and sampler.
    /// </summary>
    public static string Fingerprint(Interactions train, Interactions? validation, LightGcnOptions options, ILoss loss, ISampler sampler)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in new[] { train, validation })
        {
            if (part is not null)
            {
                hash.AppendData(BitConverter.GetBytes(part.UserCount));
                hash.AppendData(BitConverter.GetBytes(part.ItemCount));
                hash.AppendData(MemoryMarshal.AsBytes(part.RowPointers));
                hash.AppendData(MemoryMarshal.AsBytes(part.Items));
            }
        }

        string settings = Join('|', options.EmbeddingDimension, options.Layers, Join(',', [.. options.ResolveLayerWeights().Cast<object?>()]),
            options.InitStandardDeviation, options.Seed, options.BatchSize, options.LearningRate, options.WeightDecay, options.EvaluateEvery,
            options.Patience, options.ValidationMetric, Join(',', [.. options.ResolveCutoffs().Cast<object?>()]), loss.GetType().FullName, sampler.GetType().FullName);
        if (options.LearningRateMilestones.Count > 0)
        {
            // Only with a schedule, so that the checkpoints of runs at one learning rate stay valid.
            settings += "|" + Join('|', Join(',', [.. options.LearningRateMilestones.Cast<object?>()]), options.LearningRateDecay);
        }

        if (options.TrainingPrecision != TrainingPrecision.Full)
        {
            // Only when not the default, so that the checkpoints of float32 runs stay valid.
            settings += "|" + options.TrainingPrecision;
        }

        hash.AppendData(Encoding.UTF8.GetBytes(settings));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>Writes <paramref name="state"/> atomically into <paramref name="directory"/>.</summary>
    public static void Save(string directory, string fingerprint, TrainingState state)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(
                new Header(fingerprint, state.Epoch, state.AdamStep, state.Best, state.BestEpoch, state.SinceBest, state.BestWeights is not null, state.History), Json);
            writer.Write(json.Length);
            writer.Write(json);
            foreach (var values in new[] { state.Embedding, state.FirstMoment, state.SecondMoment, state.BestWeights ?? [] })
            {
                writer.Write(values.Length);
                writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            }
        }

        byte[] body = payload.ToArray();
        string path = Path.Combine(directory, FileName), temporary = path + ".tmp";
        Directory.CreateDirectory(directory);
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(Magic);
            file.Write(SHA256.HashData(body));
            file.Write(body);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The state saved in <paramref name="directory"/>, or null when there is none.</summary>
    /// <exception cref="ArgumentException">The checkpoint belongs to other data, another split or other options.</exception>
    /// <exception cref="ModelFormatException">The checkpoint file is damaged.</exception>
    public static TrainingState? Load(string directory, string fingerprint, int parameters)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || !SHA256.HashData(bytes.AsSpan(Magic.Length + 32)).AsSpan().SequenceEqual(bytes.AsSpan(Magic.Length, 32)))
        {
            throw new ModelFormatException(path, "not a GraphRec training checkpoint, or damaged (its checksum does not match); delete it to start afresh.");
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, Magic.Length + 32, bytes.Length - Magic.Length - 32, writable: false));
            var header = JsonSerializer.Deserialize<Header>(reader.ReadBytes(reader.ReadInt32()), Json) ?? throw new InvalidDataException("the header is empty.");
            if (!string.Equals(header.Fingerprint, fingerprint, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"The checkpoint in {directory} belongs to other data, another split or other options than this run; resume with the ones it was written with, or use an empty folder to start afresh.");
            }

            float[] Read(int expected)
            {
                int length = reader.ReadInt32();
                if (length != expected)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"an array holds {length} values where {expected} are expected."));
                }

                var values = new float[length];
                reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
                return values;
            }

            var embedding = Read(parameters);
            var first = Read(parameters);
            var second = Read(parameters);
            var best = Read(header.HasBest ? parameters : 0);
            return new TrainingState(header.Epoch, header.AdamStep, embedding, first, second, header.Best, header.BestEpoch, header.SinceBest,
                header.HasBest ? best : null, [.. header.History]);
        }
        catch (Exception error) when (error is JsonException or InvalidDataException or EndOfStreamException)
        {
            throw new ModelFormatException(path, $"inconsistent checkpoint: {error.Message}", error);
        }
    }

    /// <summary>The values of a CPU tensor, copied out.</summary>
    public static float[] Copy(TorchSharp.torch.Tensor tensor)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var values = tensor.detach().cpu().contiguous().data<float>();
        return values.ToArray();
    }

    /// <summary>Values joined in the invariant culture, so that a fingerprint does not depend on the machine's culture.</summary>
    private static string Join(char separator, params object?[] values) =>
        string.Join(separator, values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
}
