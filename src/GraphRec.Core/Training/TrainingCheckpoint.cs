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
    float[]? BestWeights, IReadOnlyList<TrainingProgress> History);

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

    private sealed record Header(string Fingerprint, int Epoch, long AdamStep, double Best, int BestEpoch, int SinceBest, bool HasBest, IReadOnlyList<TrainingProgress> History);

    /// <summary>
    /// A hash of what a run's next epochs depend on: the training and validation interactions, the options that shape the
    /// model and its training (not the epoch count, which a resumed run may raise, nor the threads, which change nothing),
    /// and the kinds of loss and sampler; for a warm start, also the <paramref name="initialEmbedding"/> it starts from.
    /// </summary>
    public static string Fingerprint(Interactions train, Interactions? validation, LightGcnOptions options, ILoss loss, ISampler sampler, TorchSharp.torch.Tensor? initialEmbedding = null)
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

        if (options.BFloat16Layers)
        {
            // Only when not the default, so that the checkpoints of float32 runs stay valid.
            settings += "|" + nameof(TrainingPrecision.BFloat16Layers);
        }

        if (options.HistoryRefreshesPerEpoch > 0)
        {
            // Only when not the default, so that the checkpoints of exact runs stay valid.
            settings += "|history " + options.HistoryRefreshesPerEpoch.ToString(CultureInfo.InvariantCulture);
        }

        hash.AppendData(Encoding.UTF8.GetBytes(settings));
        if (initialEmbedding is not null)
        {
            // Only for a warm start: a cold start's initial embeddings follow from the seed, hashed above.
            hash.AppendData(MemoryMarshal.AsBytes(Copy(initialEmbedding).AsSpan()));
        }

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
        AtomicFile.Write(Path.Combine(directory, FileName), temporary =>
        {
            using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            file.Write(Magic);
            file.Write(SHA256.HashData(body));
            file.Write(body);
        });
    }

    /// <summary>The state saved in <paramref name="directory"/>, or null when there is none.</summary>
    /// <exception cref="ArgumentException">The checkpoint belongs to other data, another split or other options.</exception>
    /// <exception cref="InvalidDataException">The checkpoint file is damaged.</exception>
    public static TrainingState? Load(string directory, string fingerprint, int parameters)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path) && new FileInfo(path).LinkTarget is null)
        {
            return null;
        }

        byte[] bytes = RegularFile.ReadAllBytesAsync(path, "training checkpoint").GetAwaiter().GetResult();
        if (bytes.Length < Magic.Length + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || !SHA256.HashData(bytes.AsSpan(Magic.Length + 32)).AsSpan().SequenceEqual(bytes.AsSpan(Magic.Length, 32)))
        {
            throw ModelFileError.At(path, "not a GraphRec training checkpoint, or damaged (its checksum does not match); delete it to start afresh.");
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, Magic.Length + 32, bytes.Length - Magic.Length - 32, writable: false));
            int headerLength = reader.ReadInt32();
            if (headerLength <= 0 || headerLength > reader.BaseStream.Length - reader.BaseStream.Position)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"the header length {headerLength} does not fit in the file."));
            }

            var header = JsonSerializer.Deserialize<Header>(reader.ReadBytes(headerLength), Json) ?? throw new InvalidDataException("the header is empty.");
            CheckHeader(header);
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
            // Every way the bytes can fail to be a checkpoint ends here, as the one exception the loader documents.
            throw ModelFileError.At(path, $"inconsistent checkpoint: {error.Message}", error);
        }
    }

    /// <summary>
    /// The header's numbers checked as a forger could set them (the checksum detects damage, it does not authenticate):
    /// an epoch and counts a run can have, and a history of that run's epochs.
    /// </summary>
    private static void CheckHeader(Header header)
    {
        if (header.Epoch < 1 || header.AdamStep < 0 || header.BestEpoch < 0 || header.SinceBest < 0 || header.Fingerprint is null)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"the header's values are not a run's (epoch {header.Epoch}, step {header.AdamStep}, best epoch {header.BestEpoch}, {header.SinceBest} epochs since the best)."));
        }

        if (header.History is null || header.History.Count != header.Epoch || header.History.Any(record => record is null))
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"the history does not hold the {header.Epoch} epochs the checkpoint is after."));
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
