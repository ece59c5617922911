namespace GraphRec.Core;

/// <summary>
/// What <see cref="SpectralFilter"/> needs from the scorer behind it: GF-CF's own two-hop scorer
/// (<see cref="GraphFilterScorer"/>) for the GF-CF configuration, the polynomial one (<see cref="SpectralFilterScorer"/>) for every other.
/// </summary>
internal interface IFilterScorer : IRowScorer, IDisposable
{
    /// <summary>k, the number of singular vectors kept (0 when the filter has no ideal term).</summary>
    int Rank { get; }

    /// <summary>The ideal term as embeddings whose dot products are its scores before α: users and items, each row-major <c>[count, Rank]</c>.</summary>
    (float[] Users, float[] Items) SpectralEmbeddings();
}
