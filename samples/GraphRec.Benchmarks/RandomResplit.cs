using GraphRec.Data;

namespace GraphRec.Benchmarks;

/// <summary>
/// A predefined split drawn again at random: each user keeps as many test items as the predefined split gives it, drawn
/// uniformly from its train and test items together (seeded), and the rest is train. The same users, items and sizes
/// as the predefined split, so that a figure on both tells whether its test part behaves like a uniform holdout.
/// </summary>
internal static class RandomResplit
{
    /// <summary><paramref name="split"/>'s split drawn again with <paramref name="seed"/>, or <paramref name="split"/> itself when <paramref name="seed"/> is null.</summary>
    public static DatasetSplit Of(DatasetSplit split, int? seed)
    {
        if (seed is not int value)
        {
            return split;
        }

        var random = new Random(value);
        var train = new List<int>[split.Train.UserCount];
        var test = new List<int>[split.Train.UserCount];
        for (int u = 0; u < train.Length; u++)
        {
            var items = split.Train.ItemsOf(u).ToArray().Concat(split.Test.ItemsOf(u).ToArray()).Distinct().ToArray();
            random.Shuffle(items);
            int held = split.Test.CountOf(u);
            test[u] = [.. items[..held].Order()];
            train[u] = [.. items[held..].Order()];
        }

        return new DatasetSplit(FromRows(split.Train, train), Validation: null, FromRows(split.Train, test), split.DroppedHeldOut);
    }

    /// <summary>Interactions of <paramref name="shape"/>'s users and items with each user's items given by <paramref name="rows"/>.</summary>
    internal static Interactions FromRows(Interactions shape, List<int>[] rows)
    {
        var pointers = new int[rows.Length + 1];
        for (int u = 0; u < rows.Length; u++)
        {
            pointers[u + 1] = pointers[u] + rows[u].Count;
        }

        return new Interactions(shape.UserCount, shape.ItemCount, pointers, [.. rows.SelectMany(r => r)]);
    }
}
