namespace GraphRec.Core;

/// <summary>The final embeddings as plain arrays, row-major, in dense-index order.</summary>
/// <param name="UserIds">Original id of each user row.</param>
/// <param name="ItemIds">Original id of each item row.</param>
/// <param name="Dimension">Values per row.</param>
/// <param name="Users">User embeddings, <c>UserIds.Count × Dimension</c>.</param>
/// <param name="Items">Item embeddings, <c>ItemIds.Count × Dimension</c>.</param>
public sealed record EmbeddingExport(IReadOnlyList<string> UserIds, IReadOnlyList<string> ItemIds, int Dimension, float[] Users, float[] Items)
{
    /// <summary>The embedding of user row <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> User(int index) => Users.AsSpan(index * Dimension, Dimension);

    /// <summary>The embedding of item row <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Item(int index) => Items.AsSpan(index * Dimension, Dimension);
}
