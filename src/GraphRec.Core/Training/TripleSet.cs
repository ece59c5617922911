namespace GraphRec.Core;

/// <summary>One epoch of training triples: user u, an item i the user interacted with, an item j it did not.</summary>
/// <param name="Users">u per triple.</param>
/// <param name="Positives">i per triple.</param>
/// <param name="Negatives">j per triple.</param>
public sealed record TripleSet(int[] Users, int[] Positives, int[] Negatives)
{
    /// <summary>The number of triples.</summary>
    public int Count => Users.Length;
}
