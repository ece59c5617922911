using System.Buffers.Binary;
using System.Security.Cryptography;
using CsCheck;
using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Tests;
using GraphRec.Tests.Fuzzing;
using Xunit.Abstractions;

namespace GraphRec.Core.Tests;

/// <summary>
/// Property: a model file with random edits, whether left with a stale checksum (damage) or resealed with a fresh one
/// (forgery), loads as a usable model or fails with <see cref="InvalidDataException"/>, within seconds and megabytes.
/// </summary>
[Collection(nameof(RunsAlone))]
[Trait("Category", "Fuzz")]
public sealed class ModelFileFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int PayloadStart = 8 + 4 + 8 + 32;

    /// <summary>A forged file whose text field's length prefix ran past five bytes (a <see cref="FormatException"/> once escaped the loader).</summary>
    private const string ForgedTextLength = "6E9y7s_mt6e1";
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-model-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// A small genuine file of <paramref name="kind"/>: LightGCN (format version 1), the graph filter (version 2), or
    /// LightGCN with text ids (version 3, whose id sections are length-prefixed UTF-8).
    /// </summary>
    private async Task<byte[]> GenuineAsync(string kind)
    {
        var train = new Interactions(4, 5, [0, 2, 3, 5, 6], [0, 1, 2, 1, 3, 4]);
        var items = new ItemInfo?[] { new("Alpha", 1995, ["Drama"]), null, new("Gamma", null, ["Comedy", "Romance"]), new("Delta", 2001, []), null };
        var catalog = kind == "lightgcn-text"
            ? new ModelCatalog("fuzz", new IdMap(["cust-1", "cust/2", "cust 3", "kund-ü"]), new IdMap(["SKU-10", "SKU-20", "SKU-30", "SKU-40", "SKU-50"]), train, items)
            : new ModelCatalog("fuzz", new IdMap([1, 2, 3, 4]), new IdMap([10, 20, 30, 40, 50]), train, items);
        string path = Path.Combine(_folder, "genuine.graphrec");
        if (kind == "gf-cf")
        {
            var options = new SpectralFilterOptions { Rank = 3 };
            using var filter = GraphFilterScorer.Fit(train, options);
            await ModelFile.SaveAsync(filter, options, catalog, path);
        }
        else
        {
            using var adjacency = NormalizedAdjacency.FromEdges(4, 5, train.ExpandUsers(), train.Items);
            using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 3, Layers = 2, Seed = 1 });
            await ModelFile.SaveAsync(model, catalog, path);
        }

        return await File.ReadAllBytesAsync(path);
    }

    /// <summary>The file with its payload edited and, when <paramref name="reseal"/>, its length and SHA-256 recomputed.</summary>
    private static byte[] Edit(byte[] genuine, FileMutation[] edits, bool reseal)
    {
        if (!reseal)
        {
            return FileMutation.ApplyAll(genuine, edits);
        }

        byte[] payload = FileMutation.ApplyAll(genuine[PayloadStart..], edits);
        byte[] file = [.. genuine.AsSpan(0, PayloadStart), .. payload];
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(12), payload.Length);
        SHA256.HashData(payload).CopyTo(file, 20);
        return file;
    }

    [Theory]
    [InlineData("lightgcn")]
    [InlineData("gf-cf")]
    [InlineData("lightgcn-text")]
    public async Task A_damaged_or_forged_model_file_loads_as_a_usable_model_or_is_refused(string kind)
    {
        byte[] genuine = await GenuineAsync(kind);
        long loaded = 0, refused = 0;
        var cases = Gen.Select(FileMutation.Random.Array[1, 4], Gen.Bool);
        long ran = Properties.Check(cases, c =>
        {
            string path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".graphrec");
            byte[] bytes = Edit(genuine, c.Item1, c.Item2);
            File.WriteAllBytes(path, bytes);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var work = Task.Run(async () =>
            {
                using var model = await Recommenders.LoadAsync(path);
                foreach (string user in model.Users.Ids)
                {
                    Assert.All(model.Recommend(user, 3), item => Assert.True(float.IsFinite(item.Score)));
                }

                Assert.All(model.RecommendForItems([.. model.Items.Ids.Take(2)], 3).Items, item => Assert.True(float.IsFinite(item.Score)));
            });
            Assert.True(Task.WaitAny([work], TimeSpan.FromSeconds(20)) == 0, "no outcome within 20 s");
            if (work.Exception?.InnerException is { } error)
            {
                Assert.True(error is InvalidDataException, error.ToString());
                Interlocked.Increment(ref refused);
            }
            else
            {
                Interlocked.Increment(ref loaded);
            }

            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Assert.True(allocated < (32L << 20) + (4096L * bytes.Length), $"{allocated:N0} bytes allocated for a {bytes.Length:N0}-byte file");
            File.Delete(path);
        }, c => $"resealed {c.Item2}, edits {string.Join("; ", c.Item1)}", FileMutation.Cases, ForgedTextLength);
        output.WriteLine($"{kind} model file: {ran} edited files, {loaded} loaded and served, {refused} refused with InvalidDataException, 0 other outcomes");
        Assert.Equal(ran, loaded + refused);
    }
}
