using System.Diagnostics;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
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

/// <summary>A spectral filter read back from a file: a <c>spectral</c> model, or a <c>gf-cf</c> one with GF-CF's own scorer.</summary>
/// <param name="Filter">The filter with the saved singular vectors and options; owned by this object.</param>
/// <param name="Options">The options it was fitted with.</param>
/// <param name="Catalog">Ids, training interactions and metadata.</param>
internal sealed record LoadedSpectralFilter(IFilterScorer Filter, SpectralFilterOptions Options, ModelCatalog Catalog) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Filter.Dispose();
}

/// <summary>
/// Saves and loads a trained LightGCN model with everything needed to serve it or train it further: the layer-0
/// embeddings, the configuration, the id maps, the training interactions (from which Â is rebuilt exactly) and the item
/// metadata, in one file.
/// </summary>
/// <remarks>
/// <para>Layout, little-endian: the 8 bytes <c>GRAPHREC</c>, the format version (int32), the payload length
/// (int64), the SHA-256 of the payload (32 bytes), then the payload: a length-prefixed UTF-8 JSON header (configuration,
/// counts, dataset name) followed by the arrays it describes.</para>
/// <para>Version 1 holds LightGCN (layer-0 embeddings). Version 2 adds the model kind to the header, for a graph filter
/// (<c>gf-cf</c>: its right singular vectors V_k in place of the embeddings, so loading does not repeat the SVD), and a
/// spectral filter (<c>spectral</c>: V_k, with its response, normalizations and sharpening in the header).
/// LightGCN is still written as version 1, so that every GraphRec that reads LightGCN models reads the new ones too; a
/// GraphRec from before version 2 refuses a graph filter's file by its version, with a message, instead of misreading it.</para>
/// <para>Version 3 adds, per axis, whether the ids are integers (an int64 array, as before) or text (an int32 count,
/// then each id as a 7-bit encoded byte count and its UTF-8 bytes), named in the header's <c>UserIds</c> and
/// <c>ItemIds</c> (<c>integer</c> or <c>text</c>). A model is written in the oldest version that holds it: version 3 only
/// when an axis has text ids, so that models with integer ids still load in every GraphRec that loaded them before.</para>
/// <para>The file is written to <c>path.tmp</c> in the same folder, flushed to disk, then renamed over the target, so a
/// reader sees the old file or the new one, never half of one; a save killed half-way leaves that one temporary file,
/// which the next save replaces. On load, a wrong magic, another version, a short file and a checksum mismatch each
/// give a <see cref="InvalidDataException"/> that says which.</para>
/// <para>The checksum detects damage; it does not authenticate (anyone can recompute it). So the loader also treats the
/// contents as untrusted: counts and sizes are checked against the bytes the file really holds before anything is
/// allocated, the layer count is bounded by <see cref="LightGcnOptions.MaxLayers"/>, the propagated embeddings must
/// score without overflow, names and titles must be free of control characters, and the ids of each axis must be
/// distinct and in the order of their indices (text ids also non-empty, valid UTF-8, each within the bytes left).</para>
/// </remarks>
internal static class ModelFile
{
    /// <summary>The newest format version this library reads (and writes, for a graph filter).</summary>
    public const int FormatVersion = 3;

    /// <summary>The model kinds a file can hold, as the header and <see cref="IRecommender.ModelKind"/> name them.</summary>
    public const string LightGcnKind = "lightgcn", GraphFilterKind = "gf-cf", SpectralFilterKind = "spectral";

    /// <summary>How version 3 records an axis's ids: int64 values, or UTF-8 text.</summary>
    private const string IntegerIds = "integer", TextIds = "text";

    private static readonly byte[] Magic = "GRAPHREC"u8.ToArray();
    private const int PreambleLength = 8 + 4 + 8 + 32;

    /// <summary>Saves <paramref name="model"/> with <paramref name="catalog"/> to <paramref name="path"/>, atomically.</summary>
    public static Task SaveAsync(LightGcnModel model, ModelCatalog catalog, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(catalog);
        var options = model.Options;
        var header = new Header(catalog.DatasetName, model.UserCount, model.ItemCount, catalog.Train.Count, options.EmbeddingDimension,
            options.Layers, [.. model.LayerWeights], options.InitStandardDeviation, options.Seed, catalog.ItemInfo is not null);
        return WriteAsync(1, header, catalog, writer =>
        {
            using var scope = NewDisposeScope();
            var weights = model.Embedding.detach().to(CPU).to_type(ScalarType.Float32).contiguous();
            WriteArray(writer, MemoryMarshal.Cast<byte, float>(weights.bytes));
        }, path, cancellationToken);
    }

    /// <summary>Saves a graph filter with its options and <paramref name="catalog"/> to <paramref name="path"/>, atomically.</summary>
    public static Task SaveAsync(GraphFilterScorer filter, SpectralFilterOptions options, ModelCatalog catalog, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        var header = FilterHeader(GraphFilterKind, catalog, filter.Rank, filter.Alpha, options.Seed, options.Oversampling, options.PowerIterations, options.Cutoffs);
        return WriteAsync(2, header, catalog, writer => WriteArray(writer, filter.Basis), path, cancellationToken);
    }

    /// <summary>Saves a spectral filter with its options and <paramref name="catalog"/> to <paramref name="path"/>, atomically.</summary>
    public static Task SaveAsync(SpectralFilterScorer filter, SpectralFilterOptions options, ModelCatalog catalog, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        var header = FilterHeader(SpectralFilterKind, catalog, filter.Rank, options.Alpha, options.Seed, options.Oversampling, options.PowerIterations, options.Cutoffs) with
        {
            Spectral = new SpectralHeader([.. options.Polynomial], [.. options.ChebyshevCoefficients], options.InputNormalization, options.IdealNormalization,
                options.Rank, options.SharpeningTime, options.SharpeningSteps, options.OutputNormalization, options.UserNormalization, options.IdealUserDegreeExponent),
        };
        return WriteAsync(2, header, catalog, writer => WriteArray(writer, filter.Basis), path, cancellationToken);
    }

    /// <summary>The header both graph-filter kinds write: the catalog's sizes, the rank of V_k and how the SVD was made.</summary>
    private static Header FilterHeader(string kind, ModelCatalog catalog, int rank, double alpha, int seed, int oversampling, int powerIterations, IEnumerable<int> cutoffs) =>
        new(catalog.DatasetName, catalog.Users.Count, catalog.Items.Count, catalog.Train.Count, rank, 0, [], 0, seed, catalog.ItemInfo is not null)
        {
            Kind = kind,
            Alpha = alpha,
            Oversampling = oversampling,
            PowerIterations = powerIterations,
            Cutoffs = [.. cutoffs],
        };

    /// <summary>
    /// Writes the file in <paramref name="version"/>, the oldest that holds the model kind, or in version 3 when an axis
    /// has text ids (which older versions cannot hold), with each axis's id kind in the header.
    /// </summary>
    private static async Task WriteAsync(int version, Header header, ModelCatalog catalog, Action<BinaryWriter> writeWeights, string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!catalog.Users.IsNumeric || !catalog.Items.IsNumeric)
        {
            version = 3;
            header = header with { Kind = header.Kind ?? LightGcnKind, UserIds = IdKind(catalog.Users), ItemIds = IdKind(catalog.Items) };
        }

        byte[] payload = BuildPayload(header, catalog, writeWeights);
        byte[] preamble = new byte[PreambleLength];
        Magic.CopyTo(preamble, 0);
        BinaryPrimitives.WriteInt32LittleEndian(preamble.AsSpan(8), version);
        BinaryPrimitives.WriteInt64LittleEndian(preamble.AsSpan(12), payload.Length);
        SHA256.HashData(payload).CopyTo(preamble, 20);

        await AtomicFile.WriteAsync(path, [preamble, payload], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads a LightGCN model saved by <see cref="SaveAsync(LightGcnModel, ModelCatalog, string, CancellationToken)"/>, rebuilding Â on <paramref name="device"/> (the CPU when null).</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a GraphRec model, is from a newer version, is truncated or is corrupted, or holds another kind of model.</exception>
    public static async Task<LoadedModel> LoadAsync(string path, Device? device = null, CancellationToken cancellationToken = default) =>
        await LoadAnyAsync(path, device, cancellationToken).ConfigureAwait(false) switch
        {
            LoadedModel model => model,
            IDisposable other => Refuse<LoadedModel>(other, path, LightGcnKind),
            _ => throw new UnreachableException(),
        };

    /// <summary>Loads a spectral filter, of either kind (<c>spectral</c>, <c>gf-cf</c>).</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a GraphRec model, is from a newer version, is truncated or is corrupted, or holds another kind of model.</exception>
    public static async Task<LoadedSpectralFilter> LoadSpectralFilterAsync(string path, CancellationToken cancellationToken = default) =>
        await LoadAnyAsync(path, null, cancellationToken).ConfigureAwait(false) switch
        {
            LoadedSpectralFilter filter => filter,
            IDisposable other => Refuse<LoadedSpectralFilter>(other, path, $"{SpectralFilterKind} or {GraphFilterKind}"),
            _ => throw new UnreachableException(),
        };

    /// <summary>Loads whichever model the file holds: a <see cref="LoadedModel"/> or a <see cref="LoadedSpectralFilter"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a GraphRec model, is from a newer version, is truncated or is corrupted.</exception>
    public static async Task<IDisposable> LoadAnyAsync(string path, Device? device = null, CancellationToken cancellationToken = default)
    {
        byte[] bytes = await ReadCheckedAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            int version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
            return ReadPayload(new MemoryStream(bytes, PreambleLength, bytes.Length - PreambleLength, writable: false), version, device ?? CPU);
        }
        catch (Exception error) when (error is ArgumentException or EndOfStreamException or JsonException or InvalidDataException or OverflowException)
        {
            throw ModelFileError.At(path, $"inconsistent contents: {error.Message}", error);
        }
    }

    /// <summary>
    /// The file's bytes, once its magic, version, length and checksum are checked: what tells a damaged or foreign file
    /// from a model without building anything (a host checks this at start-up).
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a GraphRec model, of another version, truncated or corrupted.</exception>
    public static async Task<byte[]> ReadCheckedAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = await RegularFile.ReadAllBytesAsync(path, "model file", cancellationToken).ConfigureAwait(false);
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw ModelFileError.At(path, "not a GraphRec model file (it does not start with GRAPHREC).");
        }

        if (bytes.Length < PreambleLength)
        {
            throw ModelFileError.At(path, $"truncated: {bytes.Length} bytes, shorter than the {PreambleLength}-byte preamble.");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (version < 1)
        {
            throw ModelFileError.At(path, $"format version {version} is not a valid version: the file is damaged or was not written by GraphRec.");
        }

        if (version > FormatVersion)
        {
            throw ModelFileError.At(path, $"format version {version}; this GraphRec reads versions 1 to {FormatVersion}. Use a newer GraphRec or retrain.");
        }

        long length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(12));
        if (bytes.Length - PreambleLength != length)
        {
            throw ModelFileError.At(path, $"truncated or padded: the payload should be {length} bytes, the file holds {bytes.Length - PreambleLength}.");
        }

        if (!SHA256.HashData(bytes.AsSpan(PreambleLength)).AsSpan().SequenceEqual(bytes.AsSpan(20, 32)))
        {
            throw ModelFileError.At(path, "corrupted: the SHA-256 checksum of its contents does not match.");
        }

        return bytes;
    }

    private static T Refuse<T>(IDisposable loaded, string path, string expected)
    {
        var (actual, type) = loaded switch
        {
            LoadedModel => (LightGcnKind, "LightGcn"),
            LoadedSpectralFilter { Filter: GraphFilterScorer } => (GraphFilterKind, "SpectralFilter"),
            _ => (SpectralFilterKind, "SpectralFilter"),
        };
        loaded.Dispose();
        throw ModelFileError.At(path,
            $"it holds a {actual} model, not {expected}: load it with {type}.LoadAsync, or any model with Recommenders.LoadAsync.");
    }

    /// <summary>
    /// The JSON header. <see cref="Dimension"/> is the width of the weights section: the embedding size of LightGCN, the
    /// rank of a graph filter; the properties after <see cref="HasItemInfo"/> are version 2's, null in version 1.
    /// </summary>
    private sealed record Header(
        string Dataset, int Users, int Items, int Interactions, int Dimension, int Layers, float[] LayerWeights, float InitStandardDeviation,
        long? Seed, bool HasItemInfo)
    {
        public string? Kind { get; init; }

        public double? Alpha { get; init; }

        public int? Oversampling { get; init; }

        public int? PowerIterations { get; init; }

        public int[]? Cutoffs { get; init; }

        public SpectralHeader? Spectral { get; init; }

        /// <summary>Version 3: <c>integer</c> or <c>text</c>, how the user ids are stored; absent before.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? UserIds { get; init; }

        /// <summary>Version 3: <c>integer</c> or <c>text</c>, how the item ids are stored; absent before.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? ItemIds { get; init; }
    }

    private static string IdKind(IdMap ids) => ids.IsNumeric ? IntegerIds : TextIds;

    /// <summary>Whether an axis's ids are text: never before version 3; in version 3 as its header says, which it must.</summary>
    private static bool IsText(string? kind, int version, string axis) => version >= 3 && kind switch
    {
        IntegerIds => false,
        TextIds => true,
        _ => throw new InvalidDataException($"the header says the {axis} ids are '{Shorten(kind ?? "(missing)")}', neither {IntegerIds} nor {TextIds}."),
    };

    /// <summary>An axis's ids, in index order: int64 values for a numeric map, else each as a length-prefixed UTF-8 string.</summary>
    private static void WriteIds(BinaryWriter writer, IdMap ids)
    {
        if (ids.IsNumeric)
        {
            long[] values = new long[ids.Count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = ids.GetNumericId(i);
            }

            WriteArray(writer, values.AsSpan());
            return;
        }

        writer.Write(ids.Count);
        foreach (string id in ids.Ids)
        {
            writer.Write(id);
        }
    }

    /// <summary>
    /// An axis's ids as <see cref="WriteIds"/> writes them, checked: the count the header gives, text ids non-empty and
    /// valid UTF-8, and all distinct and in the order of their indices, so that the map read is the map written.
    /// </summary>
    private static IdMap ReadIds(BinaryReader reader, int count, bool text, string axis)
    {
        IdMap map;
        if (!text)
        {
            long[] values = ReadArray<long>(reader, count);
            map = new IdMap(values);
            for (int i = 0; i < values.Length; i++)
            {
                if (map.GetNumericId(i) != values[i])
                {
                    throw new InvalidDataException($"the {axis} ids are not distinct and ascending (at position {i}).");
                }
            }

            return map;
        }

        int length = reader.ReadInt32();
        if (length != count)
        {
            throw new InvalidDataException($"an array has {length} elements where the header implies {count}.");
        }

        var ids = new string[count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = ReadUtf8(reader, $"{axis} id {i}");
            if (ids[i].Length == 0)
            {
                throw new InvalidDataException($"{axis} id {i} is empty.");
            }
        }

        map = new IdMap(ids); // ArgumentException on a repeated id
        for (int i = 0; i < ids.Length; i++)
        {
            if (!string.Equals(map.Ids[i], ids[i], StringComparison.Ordinal))
            {
                throw new InvalidDataException($"the {axis} ids are not in the order of their indices (at position {i}).");
            }
        }

        return map;
    }

    /// <summary>A spectral filter's options beyond a graph filter's (<see cref="SpectralFilterOptions"/>).</summary>
    private sealed record SpectralHeader(
        double[] Polynomial, double[] ChebyshevCoefficients, double InputNormalization, double IdealNormalization, int Rank, double SharpeningTime, int SharpeningSteps,
        double? OutputNormalization = null, double UserNormalization = 0.5, double IdealUserDegreeExponent = 0);

    private static byte[] BuildPayload(Header header, ModelCatalog catalog, Action<BinaryWriter> writeWeights)
    {
        var train = catalog.Train;
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
            writer.Write(json.Length);
            writer.Write(json);
            WriteIds(writer, catalog.Users);
            WriteIds(writer, catalog.Items);
            WriteArray(writer, train.RowPointers);
            WriteArray(writer, train.Items);
            writeWeights(writer);

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

    private static IDisposable ReadPayload(MemoryStream payload, int version, Device device)
    {
        using var reader = new BinaryReader(payload, Encoding.UTF8);
        int jsonLength = reader.ReadInt32();
        if (jsonLength <= 0 || jsonLength > payload.Length - payload.Position)
        {
            throw new InvalidDataException($"the header length {jsonLength} does not fit in the file.");
        }

        var header = JsonSerializer.Deserialize<Header>(reader.ReadBytes(jsonLength))
            ?? throw new InvalidDataException("the header is empty.");
        header = header with
        {
            UserIds = IsText(header.UserIds, version, "user") ? TextIds : IntegerIds,
            ItemIds = IsText(header.ItemIds, version, "item") ? TextIds : IntegerIds,
        };
        string kind = version == 1 ? LightGcnKind : header.Kind ?? throw new InvalidDataException("the header names no model kind.");
        if (kind is not (LightGcnKind or GraphFilterKind or SpectralFilterKind))
        {
            throw new InvalidDataException($"the model kind '{Shorten(kind)}' is not one this GraphRec knows ({LightGcnKind}, {GraphFilterKind}, {SpectralFilterKind}).");
        }

        if (kind == SpectralFilterKind)
        {
            return ReadSpectralFilter(reader, payload, header);
        }

        bool isFilter = kind == GraphFilterKind;
        long weightRows = isFilter ? header.Items : (long)header.Users + header.Items;
        var options = isFilter ? null : CheckHeader(header, payload.Length - payload.Position);
        var filterOptions = isFilter ? CheckFilterHeader(header, payload.Length - payload.Position) : null;
        var (users, items) = ReadIdMaps(reader, header);
        var train = new Interactions(header.Users, header.Items, ReadArray<int>(reader, header.Users + 1), ReadArray<int>(reader, header.Interactions));
        float[] weights = ReadArray<float>(reader, checked((int)(weightRows * header.Dimension)));
        if (weights.Any(w => !float.IsFinite(w)))
        {
            throw new InvalidDataException(isFilter ? "the singular vectors hold NaN or infinite values." : "the embeddings hold NaN or infinite values.");
        }
        var itemInfo = header.HasItemInfo ? ReadItemInfo(reader, payload, header.Items) : null;

        if (reader.BaseStream.Position != reader.BaseStream.Length)
        {
            throw new InvalidDataException($"{reader.BaseStream.Length - reader.BaseStream.Position} bytes left over after the last section.");
        }

        var catalog = new ModelCatalog(header.Dataset, users, items, train, itemInfo);
        if (filterOptions is not null)
        {
            if (weights.Any(w => Math.Abs(w) > 1.0001f))
            {
                throw new InvalidDataException("a singular vector has an entry above 1 in size: they are not orthonormal.");
            }

            return new LoadedSpectralFilter(new GraphFilterScorer(train, weights, header.Dimension, filterOptions.Alpha), filterOptions, catalog);
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

            return new LoadedModel(adjacency, model, catalog);
        }
        catch
        {
            adjacency.Dispose();
            throw;
        }
    }

    /// <summary>A spectral filter's payload after its header: the catalogue, V_k, the item metadata, all checked as a graph filter's are.</summary>
    private static LoadedSpectralFilter ReadSpectralFilter(BinaryReader reader, MemoryStream payload, Header header)
    {
        var spectral = header.Spectral ?? throw new InvalidDataException("the header of a spectral filter holds no response.");
        CheckCounts(header with { Dimension = Math.Max(header.Dimension, 1) }, payload.Length - payload.Position, weightRows: header.Items);
        var options = new SpectralFilterOptions
        {
            Polynomial = spectral.Polynomial ?? [],
            ChebyshevCoefficients = spectral.ChebyshevCoefficients ?? [],
            InputNormalization = spectral.InputNormalization,
            IdealNormalization = spectral.IdealNormalization,
            OutputNormalization = spectral.OutputNormalization,
            UserNormalization = spectral.UserNormalization,
            IdealUserDegreeExponent = spectral.IdealUserDegreeExponent,
            Rank = spectral.Rank,
            Alpha = header.Alpha ?? double.NaN,
            SharpeningTime = spectral.SharpeningTime,
            SharpeningSteps = spectral.SharpeningSteps,
            Oversampling = header.Oversampling ?? 0,
            PowerIterations = header.PowerIterations ?? 0,
            Seed = header.Seed is long seed and >= int.MinValue and <= int.MaxValue ? (int)seed : 0,
            Cutoffs = header.Cutoffs ?? [10, 20],
        };
        options.Validate(); // throws ArgumentException naming the bad value
        if (header.Dimension < 0 || header.Dimension > Math.Min(Math.Min(header.Users, header.Items), options.Rank))
        {
            throw new InvalidDataException($"the rank {header.Dimension} is negative, exceeds the smaller side of the {header.Users} x {header.Items} matrix or the options' rank {options.Rank}.");
        }

        var (users, items) = ReadIdMaps(reader, header);
        var train = new Interactions(header.Users, header.Items, ReadArray<int>(reader, header.Users + 1), ReadArray<int>(reader, header.Interactions));
        float[] basis = ReadArray<float>(reader, checked(header.Items * header.Dimension));
        if (basis.Any(w => !float.IsFinite(w) || Math.Abs(w) > 1.0001f))
        {
            throw new InvalidDataException("a singular vector holds NaN, infinite or above-1 entries: they are not orthonormal.");
        }

        var itemInfo = header.HasItemInfo ? ReadItemInfo(reader, payload, header.Items) : null;
        if (reader.BaseStream.Position != reader.BaseStream.Length)
        {
            throw new InvalidDataException($"{reader.BaseStream.Length - reader.BaseStream.Position} bytes left over after the last section.");
        }

        var catalog = new ModelCatalog(header.Dataset, users, items, train, itemInfo);
        return new LoadedSpectralFilter(new SpectralFilterScorer(train, basis, header.Dimension, options), options, catalog);
    }

    /// <summary>The user and item ids, each axis as the header (normalized by <see cref="IsText"/>) says it is stored.</summary>
    private static (IdMap Users, IdMap Items) ReadIdMaps(BinaryReader reader, Header header) =>
        (ReadIds(reader, header.Users, header.UserIds == TextIds, "user"), ReadIds(reader, header.Items, header.ItemIds == TextIds, "item"));

    /// <summary>
    /// The model's options from the header, checked, and the header's counts checked against the
    /// <paramref name="bytesLeft"/> bytes that follow it, before any array is allocated: a forged header must not be able
    /// to make the loader allocate or compute more than the file's own size justifies.
    /// </summary>
    private static LightGcnOptions CheckHeader(Header header, long bytesLeft)
    {
        CheckCounts(header, bytesLeft, weightRows: (long)header.Users + header.Items);
        var options = new LightGcnOptions
        {
            EmbeddingDimension = header.Dimension,
            Layers = header.Layers,
            LayerWeights = header.LayerWeights,
            InitStandardDeviation = header.InitStandardDeviation,
            Seed = header.Seed is long seed and >= int.MinValue and <= int.MaxValue ? (int)seed : 0,
        };
        options.Validate(); // throws ArgumentException naming the bad value
        return options;
    }

    /// <summary>As <see cref="CheckHeader"/>, for a graph filter: its options, and the counts against the bytes that follow.</summary>
    private static SpectralFilterOptions CheckFilterHeader(Header header, long bytesLeft)
    {
        CheckCounts(header, bytesLeft, weightRows: header.Items);
        var options = new SpectralFilterOptions // GF-CF's shape, with the rank and SVD the file records
        {
            Rank = header.Dimension,
            Alpha = header.Alpha ?? double.NaN,
            Oversampling = header.Oversampling ?? 0,
            PowerIterations = header.PowerIterations ?? 0,
            Seed = header.Seed is long seed and >= int.MinValue and <= int.MaxValue ? (int)seed : 0,
            Cutoffs = header.Cutoffs ?? [10, 20],
        };
        options.Validate(); // throws ArgumentException naming the bad value
        if (header.Dimension > Math.Min(header.Users, header.Items))
        {
            throw new InvalidDataException($"the rank {header.Dimension} exceeds the smaller side of the {header.Users} x {header.Items} matrix.");
        }

        return options;
    }

    /// <summary>The item metadata section: for each item a flag, then its title, year and genres when it has them.</summary>
    private static ItemInfo?[] ReadItemInfo(BinaryReader reader, MemoryStream payload, int itemCount)
    {
        var itemInfo = new ItemInfo?[itemCount];
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

        return itemInfo;
    }

    /// <summary>The header's counts, checked against the <paramref name="bytesLeft"/> bytes that follow it.</summary>
    private static void CheckCounts(Header header, long bytesLeft, long weightRows)
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

        // Each array is an int32 length and its elements: user ids, item ids, row pointers, items, weights. An integer
        // id takes 8 bytes, a text id at least 2 (its length and one byte).
        long idBytes = (header.UserIds == TextIds ? 2L : 8L) * header.Users + (header.ItemIds == TextIds ? 2L : 8L) * header.Items;
        long needed = (5 * 4L) + idBytes + (4 * (header.Users + 1L)) + (4L * header.Interactions) + (4 * weightRows * header.Dimension);
        if (needed > bytesLeft)
        {
            throw new InvalidDataException(
                $"the header describes {needed:N0} bytes of arrays ({header.Users} users, {header.Items} items, {header.Interactions} interactions, dimension {header.Dimension}), but only {bytesLeft:N0} bytes follow it.");
        }
    }

    /// <summary>At most 64 characters of <paramref name="text"/> for a message, control characters escaped.</summary>
    private static string Shorten(string text) =>
        string.Concat(text.Take(64).Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString())) + (text.Length > 64 ? "..." : "");

    /// <summary>
    /// A string as <see cref="BinaryWriter.Write(string)"/> writes it (a 7-bit encoded byte count, then UTF-8), read so
    /// that every way a forged one can be wrong is an <see cref="InvalidDataException"/>: a count that is not a 7-bit
    /// encoded integer (which <see cref="BinaryReader.ReadString"/> reports as a <see cref="FormatException"/>), a count
    /// past the end of the file, bytes that are not UTF-8, or control characters.
    /// </summary>
    private static string ReadText(BinaryReader reader, string what)
    {
        string text = ReadUtf8(reader, what);
        return text.Any(char.IsControl) ? throw new InvalidDataException($"{what} holds control characters.") : text;
    }

    /// <summary>A string as <see cref="ReadText"/> reads it, control characters allowed (an id is kept exactly as given).</summary>
    private static string ReadUtf8(BinaryReader reader, string what)
    {
        int length;
        try
        {
            length = reader.Read7BitEncodedInt();
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"the length of {what} is not a valid 7-bit encoded integer.");
        }

        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            throw new InvalidDataException($"{what} claims {length} bytes, more than the file has left.");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(reader.ReadBytes(length));
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"{what} is not valid UTF-8.");
        }

        return text;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
