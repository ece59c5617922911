using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>A model read back from a file: the rebuilt adjacency, the model with its weights, and its catalogue.</summary>
/// <param name="Adjacency">Â rebuilt from the saved training interactions; owned by this object.</param>
/// <param name="Model">The model with the saved layer-0 embeddings; owned by this object.</param>
/// <param name="Catalog">Ids, training interactions and metadata.</param>
internal sealed record LoadedModel(NormalizedAdjacency Adjacency, LightGcnModel Model, ModelCatalog Catalog) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Model.Dispose();
        Adjacency.Dispose();
    }
}

/// <summary>
/// Saves and loads a trained LightGCN model with everything needed to serve it or train it further: the layer-0
/// embeddings, the configuration, the id maps, the training interactions (from which Â is rebuilt exactly) and the item
/// metadata, in one file.
/// </summary>
/// <remarks>
/// <para>Layout, little-endian: the 8 bytes <c>GRAPHREC</c>, the format version (int32, now 1), the payload length
/// (int64), the SHA-256 of the payload (32 bytes), then the payload: a length-prefixed UTF-8 JSON header (configuration,
/// counts, dataset name) followed by the arrays it describes.</para>
/// <para>The file is written to <c>path.tmp</c> in the same folder, flushed to disk, then renamed over the target, so a
/// reader sees the old file or the new one, never half of one; a save killed half-way leaves that one temporary file,
/// which the next save replaces. On load, a wrong magic, another version, a short file and a checksum mismatch each
/// give a <see cref="ModelFormatException"/> that says which.</para>
/// <para>The checksum detects damage; it does not authenticate (anyone can recompute it). So the loader also treats the
/// contents as untrusted: counts and sizes are checked against the bytes the file really holds before anything is
/// allocated, the layer count is bounded by <see cref="LightGcnOptions.MaxLayers"/>, the propagated embeddings must
/// score without overflow, and names and titles must be free of control characters.</para>
/// </remarks>
internal static class ModelFile
{
    /// <summary>The format version this library writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    private static readonly byte[] Magic = "GRAPHREC"u8.ToArray();
    private const int PreambleLength = 8 + 4 + 8 + 32;

    /// <summary>Saves <paramref name="model"/> with <paramref name="catalog"/> to <paramref name="path"/>, atomically.</summary>
    public static async Task SaveAsync(LightGcnModel model, ModelCatalog catalog, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] payload = BuildPayload(model, catalog);
        byte[] preamble = new byte[PreambleLength];
        Magic.CopyTo(preamble, 0);
        BinaryPrimitives.WriteInt32LittleEndian(preamble.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(preamble.AsSpan(12), payload.Length);
        SHA256.HashData(payload).CopyTo(preamble, 20);

        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        string temporary = fullPath + ".tmp";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await stream.WriteAsync(preamble, cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Loads a model saved by <see cref="SaveAsync"/>, rebuilding Â on <paramref name="device"/> (the CPU when null).</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFormatException">The file is not a GraphRec model, is from a newer version, is truncated or is corrupted.</exception>
    public static async Task<LoadedModel> LoadAsync(string path, Device? device = null, CancellationToken cancellationToken = default)
    {
        byte[] bytes = await ReadCheckedAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return ReadPayload(new MemoryStream(bytes, PreambleLength, bytes.Length - PreambleLength, writable: false), device ?? CPU);
        }
        catch (Exception error) when (error is ArgumentException or EndOfStreamException or JsonException or InvalidDataException or OverflowException)
        {
            throw new ModelFormatException(path, $"inconsistent contents: {error.Message}", error);
        }
    }

    /// <summary>
    /// The file's bytes, once its magic, version, length and checksum are checked: what tells a damaged or foreign file
    /// from a model without building anything (a host checks this at start-up).
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFormatException">The file is not a GraphRec model, of another version, truncated or corrupted.</exception>
    public static async Task<byte[]> ReadCheckedAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No model file at {Path.GetFullPath(path)}.", path);
        }

        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new ModelFormatException(path, "not a GraphRec model file (it does not start with GRAPHREC).");
        }

        if (bytes.Length < PreambleLength)
        {
            throw new ModelFormatException(path, $"truncated: {bytes.Length} bytes, shorter than the {PreambleLength}-byte preamble.");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (version < 1)
        {
            throw new ModelFormatException(path, $"format version {version} is not a valid version: the file is damaged or was not written by GraphRec.");
        }

        if (version > FormatVersion)
        {
            throw new ModelFormatException(path, $"format version {version}; this GraphRec reads versions 1 to {FormatVersion}. Use a newer GraphRec or retrain.");
        }

        long length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(12));
        if (bytes.Length - PreambleLength != length)
        {
            throw new ModelFormatException(path, $"truncated or padded: the payload should be {length} bytes, the file holds {bytes.Length - PreambleLength}.");
        }

        if (!SHA256.HashData(bytes.AsSpan(PreambleLength)).AsSpan().SequenceEqual(bytes.AsSpan(20, 32)))
        {
            throw new ModelFormatException(path, "corrupted: the SHA-256 checksum of its contents does not match.");
        }

        return bytes;
    }

    private sealed record Header(
        string Dataset, int Users, int Items, int Interactions, int Dimension, int Layers, float[] LayerWeights, float InitStandardDeviation,
        long? Seed, bool HasItemInfo);

    private static byte[] BuildPayload(LightGcnModel model, ModelCatalog catalog)
    {
        var train = catalog.Train;
        var header = new Header(catalog.DatasetName, model.UserCount, model.ItemCount, train.Count, model.Options.EmbeddingDimension,
            model.Options.Layers, [.. model.LayerWeights], model.Options.InitStandardDeviation, model.Options.Seed, catalog.ItemInfo is not null);
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
            writer.Write(json.Length);
            writer.Write(json);
            WriteArray(writer, catalog.Users.OriginalIds.ToArray().AsSpan());
            WriteArray(writer, catalog.Items.OriginalIds.ToArray().AsSpan());
            WriteArray(writer, train.RowPointers);
            WriteArray(writer, train.Items);
            using (var scope = NewDisposeScope())
            {
                var weights = model.Embedding.detach().to(CPU).to_type(ScalarType.Float32).contiguous();
                WriteArray(writer, MemoryMarshal.Cast<byte, float>(weights.bytes));
            }

            if (catalog.ItemInfo is not null)
            {
                foreach (var info in catalog.ItemInfo)
                {
                    writer.Write(info is not null);
                    if (info is not null)
                    {
                        writer.Write(info.Title);
                        writer.Write(info.Year ?? int.MinValue);
                        writer.Write(info.Genres.Count);
                        foreach (var genre in info.Genres)
                        {
                            writer.Write(genre);
                        }
                    }
                }
            }
        }

        return memory.ToArray();
    }

    private static LoadedModel ReadPayload(MemoryStream payload, Device device)
    {
        using var reader = new BinaryReader(payload, Encoding.UTF8);
        int jsonLength = reader.ReadInt32();
        if (jsonLength <= 0 || jsonLength > payload.Length - payload.Position)
        {
            throw new InvalidDataException($"the header length {jsonLength} does not fit in the file.");
        }

        var header = JsonSerializer.Deserialize<Header>(reader.ReadBytes(jsonLength))
            ?? throw new InvalidDataException("the header is empty.");
        var options = CheckHeader(header, payload.Length - payload.Position);
        var users = new IdMap(ReadArray<long>(reader, header.Users));
        var items = new IdMap(ReadArray<long>(reader, header.Items));
        var train = new Interactions(header.Users, header.Items, ReadArray<int>(reader, header.Users + 1), ReadArray<int>(reader, header.Interactions));
        float[] weights = ReadArray<float>(reader, (header.Users + header.Items) * header.Dimension);
        if (weights.Any(w => !float.IsFinite(w)))
        {
            throw new InvalidDataException("the embeddings hold NaN or infinite values.");
        }
        ItemInfo?[]? itemInfo = null;
        if (header.HasItemInfo)
        {
            itemInfo = new ItemInfo?[header.Items];
            for (int i = 0; i < itemInfo.Length; i++)
            {
                if (reader.ReadBoolean())
                {
                    string title = ReadText(reader, "a title");
                    int year = reader.ReadInt32();
                    int genreCount = reader.ReadInt32();
                    if (genreCount < 0 || genreCount > payload.Length - payload.Position)
                    {
                        throw new InvalidDataException($"an item claims {genreCount} genres.");
                    }

                    var genres = new string[genreCount];
                    for (int g = 0; g < genres.Length; g++)
                    {
                        genres[g] = ReadText(reader, "a genre");
                    }

                    itemInfo[i] = new ItemInfo(title, year == int.MinValue ? null : year, genres);
                }
            }
        }

        if (reader.BaseStream.Position != reader.BaseStream.Length)
        {
            throw new InvalidDataException($"{reader.BaseStream.Length - reader.BaseStream.Position} bytes left over after the last section.");
        }

        var adjacency = NormalizedAdjacency.FromEdges(header.Users, header.Items, train.ExpandUsers(), train.Items, device);
        try
        {
            var model = new LightGcnModel(adjacency, options);
            using (var noGrad = no_grad())
            using (var scope = NewDisposeScope())
            {
                model.Embedding.copy_(tensor(weights, [adjacency.NodeCount, header.Dimension]).to(device));
            }

            if (!ScoreRange.IsFinite(model))
            {
                model.Dispose();
                throw new InvalidDataException("the embeddings are so large that their scores overflow.");
            }

            return new LoadedModel(adjacency, model, new ModelCatalog(header.Dataset, users, items, train, itemInfo));
        }
        catch
        {
            adjacency.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The model's options from the header, checked, and the header's counts checked against the
    /// <paramref name="bytesLeft"/> bytes that follow it, before any array is allocated: a forged header must not be able
    /// to make the loader allocate or compute more than the file's own size justifies.
    /// </summary>
    private static LightGcnOptions CheckHeader(Header header, long bytesLeft)
    {
        if (header.Users < 0 || header.Items < 0 || header.Interactions < 0 || header.Dimension <= 0)
        {
            throw new InvalidDataException(
                $"the header's counts are not valid ({header.Users} users, {header.Items} items, {header.Interactions} interactions, dimension {header.Dimension}).");
        }

        if (header.Dataset is null || header.Dataset.Any(char.IsControl))
        {
            throw new InvalidDataException("the dataset name is missing or holds control characters.");
        }

        var options = new LightGcnOptions
        {
            EmbeddingDimension = header.Dimension,
            Layers = header.Layers,
            LayerWeights = header.LayerWeights,
            InitStandardDeviation = header.InitStandardDeviation,
            Seed = header.Seed is long seed and >= int.MinValue and <= int.MaxValue ? (int)seed : 0,
        };
        options.Validate(); // throws ArgumentException naming the bad value

        // Each array is an int32 length and its elements: user ids, item ids, row pointers, items, embeddings.
        long nodes = (long)header.Users + header.Items;
        long needed = (5 * 4L) + (8 * nodes) + (4 * (header.Users + 1L)) + (4L * header.Interactions) + (4 * nodes * header.Dimension);
        if (needed > bytesLeft)
        {
            throw new InvalidDataException(
                $"the header describes {needed:N0} bytes of arrays ({header.Users} users, {header.Items} items, {header.Interactions} interactions, dimension {header.Dimension}), but only {bytesLeft:N0} bytes follow it.");
        }

        return options;
    }

    private static string ReadText(BinaryReader reader, string what)
    {
        string text = reader.ReadString();
        return text.Any(char.IsControl) ? throw new InvalidDataException($"{what} holds control characters.") : text;
    }

    private static void WriteArray<T>(BinaryWriter writer, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    private static T[] ReadArray<T>(BinaryReader reader, int expectedLength)
        where T : unmanaged
    {
        int length = reader.ReadInt32();
        if (length != expectedLength)
        {
            throw new InvalidDataException($"an array has {length} elements where the header implies {expectedLength}.");
        }

        var values = new T[length];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (reader.Read(bytes) != bytes.Length)
        {
            throw new EndOfStreamException("the file ends inside an array.");
        }

        return values;
    }
}
