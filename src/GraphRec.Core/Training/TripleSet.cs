namespace GraphRec.Core;

/// <summary>One epoch of training triples: user u, an item i the user interacted with, an item j it did not.</summary>
/// <param name="Users">u per triple.</param>
/// <param name="Positives">i per triple.</param>
/// <param name="Negatives">j per triple.</param>
internal sealed record TripleSet(int[] Users, int[] Positives, int[] Negatives)
{
    /// <summary>The number of triples.</summary>
    public int Count => Users.Length;

    /// <summary>
    /// Triples <paramref name="start"/> to <paramref name="start"/> + <paramref name="length"/> as node indices of Â
    /// (items offset by <paramref name="userCount"/>), laid out <c>[u; i; j]</c>: what a training step gathers, each of
    /// the final and the layer-0 embeddings once rather than three times.
    /// </summary>
    internal int[] BatchNodes(int start, int length, int userCount)
    {
        var nodes = new int[3 * length];
        Users.AsSpan(start, length).CopyTo(nodes);
        for (int t = 0; t < length; t++)
        {
            nodes[length + t] = userCount + Positives[start + t];
            nodes[(2 * length) + t] = userCount + Negatives[start + t];
        }

        return nodes;
    }
}
