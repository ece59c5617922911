using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>Anything that scores users against every item: LightGCN, a filter, a baseline. Internal: tensors are not part of the serving interface.</summary>
internal interface IScorer
{
    /// <summary>The number of items scored.</summary>
    int ItemCount { get; }

    /// <summary>Scores of shape <c>[users.Length, ItemCount]</c>, higher is better, as a float32 tensor.</summary>
    Tensor Score(ReadOnlySpan<int> users);

    /// <summary>
    /// How many users a full-ranking evaluation scores at once: <see cref="FullRankingEvaluator.UserBatchSize"/>, unless
    /// the scorer has a size it scores faster.
    /// </summary>
    int UsersPerBatch => FullRankingEvaluator.UserBatchSize(ItemCount);
}
