namespace GraphRec.Core;

/// <summary>
/// How the CPU training step stores the propagated layers <c>Â^k E</c> and their gradients between its sparse products
/// (<see cref="LightGcnOptions.TrainingPrecision"/>). The embeddings, Adam's moments, every sum and the loss stay float32
/// either way, and so do evaluation and inference.
/// </summary>
public enum TrainingPrecision
{
    /// <summary>float32 throughout: the reference code's arithmetic. The default.</summary>
    Full,

    /// <summary>
    /// The layers and their gradients rounded to bfloat16 (8 bits of mantissa, float32's range) as each product stores
    /// them, and summed in float32: each product fetches half the bytes per neighbour row. Measured on Gowalla and
    /// MovieLens 100K (docs/benchmarks.md), the same accuracy to the third digit, in a shorter epoch where the products wait on memory
    /// and in no shorter one where they do not; results still the same on any
    /// thread count, but not bit for bit those of <see cref="Full"/>.
    /// </summary>
    BFloat16Layers,
}
