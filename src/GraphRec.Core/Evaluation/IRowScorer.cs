using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// A scorer that can also score a row of items it was not trained with (a visitor's items) and compare items with
/// each other: what recommending for new users and finding similar items need from a model.
/// </summary>
internal interface IRowScorer : IScorer
{
    /// <summary>
    /// Scores of one visitor per row against every item, <c>[rows.Count, ItemCount]</c>, each visitor given only the
    /// item indices of its row (distinct, in range).
    /// </summary>
    Tensor ScoreRows(IReadOnlyList<int[]> rows);

    /// <summary>
    /// Scores of the visitors of <paramref name="rows"/> against the items from <paramref name="firstItem"/> on,
    /// <c>[rows.Count, itemCount]</c>: those columns of <see cref="ScoreRows(IReadOnlyList{int[]})"/>. By default whole
    /// rows are scored and narrowed; a scorer whose <see cref="IScorer.ItemsPerCall"/> asks for blocks scores only the block.
    /// </summary>
    Tensor ScoreRows(IReadOnlyList<int[]> rows, int firstItem, int itemCount) => ScoreRows(rows).narrow(1, firstItem, itemCount);

    /// <summary>How similar every item is to <paramref name="item"/>, by item index (the item itself included).</summary>
    float[] ItemSimilarities(int item);

    /// <summary>The training rows of <paramref name="users"/>: what a filter that scores a user from its row alone scores.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A user index is not in <paramref name="train"/>.</exception>
    static int[][] TrainingRows(Interactions train, ReadOnlySpan<int> users)
    {
        var rows = new int[users.Length][];
        for (int b = 0; b < users.Length; b++)
        {
            int user = users[b];
            ArgumentOutOfRangeException.ThrowIfNegative(user, nameof(users));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, train.UserCount, nameof(users));
            rows[b] = train.ItemsOf(user).ToArray();
        }

        return rows;
    }
}
