using GraphRec.Core;

namespace GraphRec.Core.Tests;

/// <summary>The scorer behind a model, for tests that check rankings against scores: internal, since tensors are not part of the serving interface.</summary>
internal static class ModelScorers
{
    public static IScorer Of(IRecommender model) => model switch
    {
        LightGcn lightGcn => lightGcn.Scorer,
        SpectralFilter filter => filter.Scorer,
        _ => throw new ArgumentException($"No scorer for {model.GetType().Name}.", nameof(model)),
    };
}
