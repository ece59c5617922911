using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// Scores each user of <paramref name="given"/> as a visitor who brings only its row of <paramref name="given"/>:
/// how <see cref="FullRankingEvaluator"/> measures recommendations for users the model has never seen.
/// </summary>
internal sealed class VisitorScorer(IRowScorer model, Interactions given) : IScorer
{
    /// <inheritdoc />
    public int ItemCount => model.ItemCount;

    /// <inheritdoc />
    public int UsersPerBatch => model.UsersPerBatch;

    /// <inheritdoc />
    public Tensor Score(ReadOnlySpan<int> users) => model.ScoreRows(Rows(users));

    /// <inheritdoc />
    public Tensor Score(ReadOnlySpan<int> users, int firstItem, int itemCount) => model.ScoreRows(Rows(users), firstItem, itemCount);

    /// <inheritdoc />
    public int ItemsPerCall(int users) => model.ItemsPerCall(users);

    private int[][] Rows(ReadOnlySpan<int> users)
    {
        var rows = new int[users.Length][];
        for (int b = 0; b < users.Length; b++)
        {
            rows[b] = given.ItemsOf(users[b]).ToArray();
        }

        return rows;
    }
}
