using GraphRec.Data;

namespace GraphRec.Core.Tests;

/// <summary>Small user–item graphs for the tests.</summary>
internal static class TestGraphs
{
    /// <summary>Distinct random (user, item) pairs, drawn until there are <paramref name="edges"/>, as parallel arrays.</summary>
    public static (int[] Users, int[] Items) RandomEdges(int users, int items, int edges, int seed)
    {
        var random = new Random(seed);
        var pairs = new HashSet<(int, int)>();
        while (pairs.Count < edges)
        {
            pairs.Add((random.Next(users), random.Next(items)));
        }

        return ([.. pairs.Select(p => p.Item1)], [.. pairs.Select(p => p.Item2)]);
    }

    /// <summary><see cref="RandomEdges"/> as interactions.</summary>
    public static Interactions RandomInteractions(int users, int items, int edges, int seed)
    {
        var (userIndices, itemIndices) = RandomEdges(users, items, edges, seed);
        return FromPairs(users, items, userIndices.Zip(itemIndices));
    }

    /// <summary>Interactions from (user, item) pairs; repeated pairs count once.</summary>
    public static Interactions FromPairs(int users, int items, IEnumerable<(int User, int Item)> pairs)
    {
        var rows = pairs.Distinct().GroupBy(p => p.User).ToDictionary(g => g.Key, g => g.Select(p => p.Item).Order().ToArray());
        var pointers = new int[users + 1];
        var list = new List<int>();
        for (int u = 0; u < users; u++)
        {
            list.AddRange(rows.GetValueOrDefault(u, []));
            pointers[u + 1] = list.Count;
        }

        return new Interactions(users, items, pointers, [.. list]);
    }
}
