using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Tests;

namespace GraphRec.Server.Tests;

/// <summary>Small trained models written to a temporary folder: 40 users in two taste groups over 30 titled items.</summary>
public sealed class ModelFiles : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("graphrec-server-").FullName;

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    /// <summary>
    /// The planted dataset: users 1..40 and items 100..129, or with <paramref name="textIds"/> the same users as
    /// <c>cust/ü 001+</c>.. (a '/', a space, a '+' and a non-ASCII letter in each) and items as <c>SKU-0100</c>.., which
    /// sort in the same order, so that both have the same interactions.
    /// </summary>
    public static InteractionDataset Dataset(bool textIds = false)
    {
        var random = new Random(7);
        var rows = new List<int>[40];
        for (int user = 0; user < 40; user++)
        {
            int first = user < 20 ? 0 : 15;
            rows[user] = [.. Enumerable.Range(first, 15).Where(_ => random.NextDouble() < 0.6)];
        }

        var pointers = new int[41];
        for (int user = 0; user < 40; user++)
        {
            pointers[user + 1] = pointers[user] + rows[user].Count;
        }

        var interactions = new Interactions(40, 30, pointers, [.. rows.SelectMany(r => r)]);
        var items = Enumerable.Range(0, 30).Select(i => (ItemInfo?)new ItemInfo($"Movie {100 + i}", 1990 + i, [i < 15 ? "Drama" : "Comedy"])).ToArray();
        var (userIds, itemIds) = textIds
            ? (new IdMap(Enumerable.Range(1, 40).Select(u => $"cust/ü {u:000}+")), new IdMap(Enumerable.Range(100, 30).Select(i => $"SKU-{i:0000}")))
            : (new IdMap(Enumerable.Range(1, 40).Select(u => (long)u)), new IdMap(Enumerable.Range(100, 30).Select(i => (long)i)));
        return new InteractionDataset("planted", userIds, itemIds, interactions, items, new LoadReport(interactions.Count, 0, 0, 0, []));
    }

    /// <summary>Trains a model with <paramref name="seed"/>; models of different seeds rank differently.</summary>
    public static LightGcn Train(int seed, bool textIds = false)
    {
        var dataset = Dataset(textIds);
        var split = dataset.Split(Splitters.RandomHoldout(0.2, seed: 1));
        return LightGcn.Train(dataset, split, new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Epochs = 3, BatchSize = 64, Seed = seed, EvaluateEvery = 1 });
    }

    /// <summary>
    /// Writes a forged model, its checksum recomputed, that the sample's CLI refuses: <c>layers</c>, 65 layers (one past
    /// the most); <c>rows</c>, the first user's items out of order.
    /// </summary>
    public async Task<string> WriteForgedAsync(string name, string forgery)
    {
        string path = await WriteAsync(name, seed: 1);
        byte[] genuine = await File.ReadAllBytesAsync(path);
        int users = 0, items = 0;
        byte[] forged = ModelFileForgery.Forge(genuine, header =>
        {
            (users, items) = ((int)header["Users"]!, (int)header["Items"]!);
            if (forgery == "layers")
            {
                header["Layers"] = 65;
                header["LayerWeights"] = null;
            }
        }, rest: tail =>
        {
            if (forgery == "rows")
            {
                // After the user ids, the item ids and the row pointers (each an int32 count and its values), the items
                // of each row, the first user's first: swapped, they descend.
                int first = 4 + (8 * users) + 4 + (8 * items) + 4 + (4 * (users + 1)) + 4;
                var row = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tail);
                (int a, int b) = (BitConverter.ToInt32(row[first..]), BitConverter.ToInt32(row[(first + 4)..]));
                BitConverter.TryWriteBytes(row[first..], b);
                BitConverter.TryWriteBytes(row[(first + 4)..], a);
            }
        });
        await File.WriteAllBytesAsync(path, forged);
        return path;
    }

    /// <summary>Writes a model of <paramref name="seed"/> to <paramref name="name"/> (atomically, as SaveAsync always does).</summary>
    public async Task<string> WriteAsync(string name, int seed, bool textIds = false)
    {
        string path = Path.Combine(Folder, name);
        using var model = Train(seed, textIds);
        await model.SaveAsync(path);
        return path;
    }

    /// <summary>Writes a model trained without user 40's interactions (held out whole, as a temporal split can) to <paramref name="name"/>.</summary>
    public async Task<string> WriteWithUntrainedUserAsync(string name)
    {
        var dataset = Dataset();
        var all = dataset.Interactions;
        var pointers = all.RowPointers.ToArray();
        pointers[^1] = pointers[^2];
        var train = new Interactions(all.UserCount, all.ItemCount, pointers, all.Items[..pointers[^1]].ToArray());
        var heldOut = new int[all.UserCount + 1];
        heldOut[^1] = all.CountOf(all.UserCount - 1);
        var test = new Interactions(all.UserCount, all.ItemCount, heldOut, all.ItemsOf(all.UserCount - 1).ToArray());
        string path = Path.Combine(Folder, name);
        using var model = LightGcn.Train(dataset, new DatasetSplit(train, null, test, 0), new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Epochs = 1, BatchSize = 64 });
        await model.SaveAsync(path);
        return path;
    }
}
