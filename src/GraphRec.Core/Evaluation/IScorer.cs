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

    /// <summary>
    /// Scores of shape <c>[users.Length, itemCount]</c> against the items from <paramref name="firstItem"/> on: those
    /// columns of <see cref="Score(ReadOnlySpan{int})"/>. By default the whole rows are scored and narrowed; a scorer
    /// that scores a block of items for less says so through <see cref="ItemsPerCall"/>.
    /// </summary>
    Tensor Score(ReadOnlySpan<int> users, int firstItem, int itemCount) => Score(users).narrow(1, firstItem, itemCount);

    /// <summary>
    /// <see cref="Score(ReadOnlySpan{int}, int, int)"/> written into <paramref name="scores"/>, a contiguous float32 CPU
    /// tensor <c>[users.Length, itemCount]</c> that the caller keeps from call to call, so that a ranking does not take
    /// fresh memory for every block of scores (on huge pages that costs a page fault per 2 MiB). By default the scores
    /// are made and copied in; a scorer that can write them in place overrides it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The scorer's scores do not have the shape of <paramref name="scores"/>.</exception>
    void ScoreInto(ReadOnlySpan<int> users, int firstItem, int itemCount, Tensor scores)
    {
        using var scope = NewDisposeScope();
        var made = itemCount == ItemCount ? Score(users) : Score(users, firstItem, itemCount);
        if (made.shape.Length != 2 || made.shape[0] != users.Length || made.shape[1] != itemCount)
        {
            throw new InvalidOperationException(
                $"The scorer returned scores of shape [{string.Join(", ", made.shape)}] for {users.Length} users and items {firstItem} to {firstItem + itemCount - 1}.");
        }

        scores.copy_(made);
    }

    /// <summary>
    /// How many items a top-K asks this scorer for at once when it ranks <paramref name="users"/> users: all of them,
    /// unless scoring blocks of items costs no more per item (then a top-K keeps its scores to one bounded buffer). A
    /// scorer that overrides it overrides <see cref="Score(ReadOnlySpan{int}, int, int)"/> too: the default scores whole
    /// rows for every block.
    /// </summary>
    int ItemsPerCall(int users) => ItemCount;
}
