using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GraphRec.Core;
using GraphRec.Data;

namespace GraphRec.Core.Tests;

/// <summary>
/// Model files whose checksum is consistent but whose contents are forged: the checksum detects damage, it does not
/// authenticate, so the loader must bound what a file can make it allocate or compute. Runs alone: a test here counts
/// the bytes the process allocates, which tests running beside it would add to.
/// </summary>
[Collection(nameof(ModelFuzzRunsAlone))]
public sealed class ForgedModelFileTests : IDisposable
{
    private const int PayloadStart = 8 + 4 + 8 + 32;
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

    /// <summary>Rewrites the JSON header and/or the bytes after it, then recomputes the length and checksum as a forger would.</summary>
    private static byte[] Forge(byte[] genuine, Action<JsonObject>? header = null, Action<byte[]>? rest = null)
    {
        var payload = genuine.AsSpan(PayloadStart);
        int jsonLength = BinaryPrimitives.ReadInt32LittleEndian(payload);
        var json = JsonNode.Parse(payload.Slice(4, jsonLength))!.AsObject();
        header?.Invoke(json);
        byte[] tail = payload[(4 + jsonLength)..].ToArray();
        rest?.Invoke(tail);
        byte[] newJson = Encoding.UTF8.GetBytes(json.ToJsonString());
        byte[] newPayload = [.. BitConverter.GetBytes(newJson.Length), .. newJson, .. tail];
        byte[] file = new byte[PayloadStart + newPayload.Length];
        genuine.AsSpan(0, 12).CopyTo(file);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(12), newPayload.Length);
        SHA256.HashData(newPayload).CopyTo(file, 20);
        newPayload.CopyTo(file, PayloadStart);
        return file;
    }

    private async Task<string> LoadErrorAsync(byte[] bytes)
    {
        string path = Path.Combine(_folder, "forged.graphrec");
        await File.WriteAllBytesAsync(path, bytes);
        var error = await Assert.ThrowsAsync<ModelFormatException>(() => ModelFile.LoadAsync(path));
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
            MemoryMarshal.Cast<byte, float>(tail.AsSpan(tail.Length - 8))[0] = float.NaN));

        Assert.Contains("NaN or infinite", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finite_weights_too_large_to_score_are_refused()
    {
        // Found by the property test: 1e30 is a finite float, but its scores overflow to infinity.
        string message = await LoadErrorAsync(Forge(await GenuineAsync(), rest: tail =>
            MemoryMarshal.Cast<byte, float>(tail.AsSpan(tail.Length - 8))[0] = 1e30f));

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
    public async Task A_temporary_file_left_by_a_killed_save_is_replaced_by_the_next_save()
    {
        byte[] genuine = await GenuineAsync();
        string path = Path.Combine(_folder, "genuine.graphrec");
        await File.WriteAllBytesAsync(path + ".tmp", new byte[4096]); // what kill -9 during a save leaves

        using (var loaded = await ModelFile.LoadAsync(path))
        {
            await ModelFile.SaveAsync(loaded.Model, loaded.Catalog, path);
        }

        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
        Assert.Equal(genuine, await File.ReadAllBytesAsync(path));
    }
}
