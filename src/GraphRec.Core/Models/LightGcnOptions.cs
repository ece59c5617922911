namespace GraphRec.Core.Models;

/// <summary>Hyperparameters of <see cref="LightGcnModel"/>. The defaults are the LightGCN paper's.</summary>
public sealed record LightGcnOptions
{
    /// <summary>Embedding size. Default 64.</summary>
    public int EmbeddingDimension { get; init; } = 64;

    /// <summary>The most propagation layers a model may have. Beyond a handful, LightGCN's layers only smooth the embeddings
    /// towards each other (the paper uses at most 4); the bound keeps a damaged or forged model file from asking for
    /// millions of products.</summary>
    public const int MaxLayers = 64;

    /// <summary>Number of propagation layers K, from 0 to <see cref="MaxLayers"/>. Default 3.</summary>
    public int Layers { get; init; } = 3;

    /// <summary>
    /// Layer weights α_0 .. α_K (K + 1 values). Null (the default) means uniform weights 1 / (K + 1).
    /// </summary>
    public IReadOnlyList<float>? LayerWeights { get; init; }

    /// <summary>Standard deviation of the normal initialisation of the embeddings. Default 0.1, as in the paper's code.</summary>
    public float InitStandardDeviation { get; init; } = 0.1f;

    /// <summary>Seed of the embedding initialisation. Default null: TorchSharp's global generator.</summary>
    public long? Seed { get; init; }

    /// <summary>Checks the values and returns the layer weights to use.</summary>
    /// <exception cref="ArgumentException">A value is out of range or the weights do not number K + 1.</exception>
    public IReadOnlyList<float> ResolveLayerWeights()
    {
        if (EmbeddingDimension <= 0)
        {
            throw new ArgumentException($"{nameof(EmbeddingDimension)} must be positive; it is {EmbeddingDimension}.");
        }

        if (Layers is < 0 or > MaxLayers)
        {
            throw new ArgumentException($"{nameof(Layers)} must be from 0 to {MaxLayers}; it is {Layers}.");
        }

        if (!(InitStandardDeviation > 0) || !float.IsFinite(InitStandardDeviation))
        {
            throw new ArgumentException($"{nameof(InitStandardDeviation)} must be positive and finite; it is {InitStandardDeviation}.");
        }

        if (LayerWeights is null)
        {
            return Enumerable.Repeat(1f / (Layers + 1), Layers + 1).ToArray();
        }

        if (LayerWeights.Count != Layers + 1)
        {
            throw new ArgumentException(
                $"{nameof(LayerWeights)} needs {Layers + 1} values (α_0 .. α_{Layers}); it has {LayerWeights.Count}.");
        }

        if (LayerWeights.Any(w => !float.IsFinite(w)))
        {
            throw new ArgumentException($"{nameof(LayerWeights)} must all be finite; they are [{string.Join(", ", LayerWeights)}].");
        }

        return LayerWeights.ToArray();
    }
}
