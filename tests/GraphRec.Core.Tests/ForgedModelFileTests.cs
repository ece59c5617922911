using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Tests;

namespace GraphRec.Core.Tests;

/// <summary>
/// Model files whose checksum is consistent but whose contents are forged: the checksum detects damage, it does not
/// authenticate, so the loader must bound what a file can make it allocate or compute. Runs alone: a test here counts
/// the bytes the process allocates, which tests running beside it would add to.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class ForgedModelFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-forged-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A genuine file: 3 users, 4 items, dimension 2, 1 layer.</summary>
    private async Task<byte[]> GenuineAsync()
    {
        var train = new Interactions(3, 4, [0, 1, 2, 3], [0, 1, 2]);
        using var adjacency = NormalizedAdjacency.FromEdges(3, 4, train.ExpandUsers(), train.Items);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 2, Layers = 1, Seed = 1 });
        var catalog = new ModelCatalog("genuine", new IdMap([1, 2, 3]), new IdMap([10, 20, 30, 40]), train, null);
        string path = Path.Combine(_folder, "genuine.graphrec");
        await ModelFile.SaveAsync(model, catalog, path);
        return await File.ReadAllBytesAsync(path);
    }

    private static byte[] Forge(byte[] genuine, Action<JsonObject>? header = null, Action<List<byte>>? rest = null) =>
        ModelFileForgery.Forge(genuine, header, rest);

    private async Task<string> LoadErrorAsync(byte[] bytes)
    {
        string path = Path.Combine(_folder, "forged.graphrec");
        await File.WriteAllBytesAsync(path, bytes);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ModelFile.LoadAsync(path));
        return error.Message;
    }

    [Fact]
    public async Task The_forging_helper_leaves_a_genuine_file_loadable()
    {
        string path = Path.Combine(_folder, "reforged.graphrec");
        await File.WriteAllBytesAsync(path, Forge(await GenuineAsync()));

        using var loaded = await ModelFile.LoadAsync(path);

        Assert.Equal(3, loaded.Model.UserCount);
    }

    [Theory]
    [InlineData("Users", -1)]
    [InlineData("Items", -5)]
    [InlineData("Interactions", -1)]
    [InlineData("Dimension", 0)]
    public async Task Negative_or_zero_counts_are_refused(string field, int value)
    {
        string message = await LoadErrorAsync(Forge(await GenuineAsync(), h => h[field] = value));

        Assert.Contains("counts are not valid", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Users", 2_000_000_000)]
    [InlineData("Dimension", 1_000_000_000)]
    [InlineData("Interactions", int.MaxValue)]
    public async Task Huge_counts_are_refused_before_anything_is_allocated(string field, int value)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);

        string message = await LoadErrorAsync(Forge(await GenuineAsync(), h => h[field] = value));

        Assert.Contains("bytes follow it", message, StringComparison.Ordinal);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 64 << 20, "the loader allocated what the header claimed");
    }

    [Fact]
    public async Task A_layer_count_in_the_millions_is_refused()
    {
        string message = await LoadErrorAsync(Forge(await GenuineAsync(), h =>
        {
            h["Layers"] = 20_000_000;
            h["LayerWeights"] = null;
        }));

        Assert.Contains("Layers must be from 0 to 64", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nan_weights_are_refused()
    {
        // The embeddings are the last array: 7 nodes x 2 floats at the end of the payload.
        string message = await LoadErrorAsync(Forge(await GenuineAsync(), rest: tail =>
            MemoryMarshal.Cast<byte, float>(CollectionsMarshal.AsSpan(tail)[^8..])[0] = float.NaN));

        Assert.Contains("NaN or infinite", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finite_weights_too_large_to_score_are_refused()
    {
        // Found by the property test: 1e30 is a finite float, but its scores overflow to infinity.
        string message = await LoadErrorAsync(Forge(await GenuineAsync(), rest: tail =>
            MemoryMarshal.Cast<byte, float>(CollectionsMarshal.AsSpan(tail)[^8..])[0] = 1e30f));

        Assert.Contains("scores overflow", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dataset_name_with_terminal_control_characters_is_refused()
    {
        string message = await LoadErrorAsync(Forge(await GenuineAsync(), h => h["Dataset"] = "ml\u001b]0;owned\u0007"));

        Assert.Contains("control characters", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task A_version_below_one_is_called_damaged_not_too_new(int version)
    {
        byte[] bytes = await GenuineAsync();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), version);

        string message = await LoadErrorAsync(bytes);

        Assert.Contains("not a valid version", message, StringComparison.Ordinal);
        Assert.DoesNotContain("newer", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_string_length_that_is_not_a_7_bit_encoded_integer_is_a_format_error()
    {
        // Item metadata whose first title's length is five bytes with the high bit set: BinaryReader.ReadString's
        // FormatException ("Too many bytes in what should have been a 7-bit encoded integer") once escaped as itself.
        string path = Path.Combine(_folder, "forged.graphrec");
        await File.WriteAllBytesAsync(path, Forge(await GenuineAsync(), h => h["HasItemInfo"] = true, rest: tail => tail.AddRange([1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Recommenders.LoadAsync(path));

        Assert.Contains("a title is not a valid 7-bit encoded integer", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_temporary_file_left_by_a_killed_save_is_deleted_by_the_next_save()
    {
        Skip.If(OperatingSystem.IsWindows(), "A process that has ended is made with the POSIX true command.");
        byte[] genuine = await GenuineAsync();
        string path = Path.Combine(_folder, "genuine.graphrec");
        using (var ended = Process.Start("true")!)
        {
            await ended.WaitForExitAsync();
            // What kill -9 during a save leaves: the temporary file of a process that no longer runs.
            await File.WriteAllBytesAsync(AtomicFile.TemporaryName(path, Environment.MachineName, ended.Id), new byte[4096]);
        }

        using (var loaded = await ModelFile.LoadAsync(path))
        {
            await ModelFile.SaveAsync(loaded.Model, loaded.Catalog, path);
        }

        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
        Assert.Equal(genuine, await File.ReadAllBytesAsync(path));
    }
}
