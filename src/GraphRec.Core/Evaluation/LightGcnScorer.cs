using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>
/// Scores with a LightGCN model: propagates once, then <c>ŷ_u· = e_u Eᵢᵀ</c> per batch of users; a visitor is folded
/// in as <see cref="LightGcnModel"/> documents, and items compare by the cosine of their final embeddings.
/// </summary>
internal sealed class LightGcnScorer : IRowScorer, IDisposable
{
    private readonly LightGcnModel _model;
    private readonly Tensor _users;
    private readonly Tensor _items;
    private readonly Lazy<Tensor> _normalizedItems;
    private readonly Lazy<(float[] Own, float[] Propagated, float[] Scale)> _foldIn;

    /// <summary>Propagates <paramref name="model"/> without gradients and keeps the final embeddings.</summary>
    public LightGcnScorer(LightGcnModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        using (var noGrad = no_grad())
        using (var scope = NewDisposeScope())
        {
            var (users, items) = model.Propagate();
            _users = users.detach().MoveToOuterDisposeScope();
            _items = items.detach().MoveToOuterDisposeScope();
        }

        _normalizedItems = new Lazy<Tensor>(() =>
        {
            using var scope = NewDisposeScope();
            return nn.functional.normalize(_items, p: 2, dim: 1).DetachFromDisposeScope();
        });
        _foldIn = new Lazy<(float[], float[], float[])>(FoldInBasis);
    }

    /// <inheritdoc />
    public int ItemCount => (int)_items.shape[0];

    /// <summary>The final user embeddings, <c>[users, dim]</c>.</summary>
    public Tensor UserEmbeddings => _users;

    /// <summary>The final item embeddings, <c>[items, dim]</c>.</summary>
    public Tensor ItemEmbeddings => _items;

    /// <inheritdoc />
    /// <remarks>
    /// At least <see cref="FullRankingEvaluator.BlockedUsersPerBatch"/> users, scored a block of items at a time
    /// (<see cref="ItemsPerCall"/>): one user at a time over millions of items reads every item embedding per user, and
    /// the scale benchmark's 50 M-interaction evaluation waited on that memory.
    /// </remarks>
    public int UsersPerBatch => Math.Max(FullRankingEvaluator.UserBatchSize(ItemCount), FullRankingEvaluator.BlockedUsersPerBatch);

    /// <inheritdoc />
    public Tensor Score(ReadOnlySpan<int> users) => ScoreAgainst(users, _items);

    /// <inheritdoc />
    public Tensor Score(ReadOnlySpan<int> users, int firstItem, int itemCount) => ScoreAgainst(users, ItemBlock(firstItem, itemCount));

    /// <inheritdoc />
    /// <remarks>As many items as keep a call's scores within the evaluator's score buffer: a block costs its share of a row.</remarks>
    public int ItemsPerCall(int users) => FullRankingEvaluator.ItemsPerBuffer(users);

    /// <inheritdoc />
    /// <remarks>One product written in place (on the CPU; a model on another device has its scores copied in).</remarks>
    public void ScoreInto(ReadOnlySpan<int> users, int firstItem, int itemCount, Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        using var scope = NewDisposeScope();
        var items = ItemBlock(firstItem, itemCount);
        if (_items.device_type != TorchSharp.DeviceType.CPU)
        {
            scores.copy_(ScoreAgainst(users, items));
            return;
        }

        scores.addmm_(UserRows(users), items.t(), beta: 0);
    }

    /// <summary>The final embeddings of the items from <paramref name="firstItem"/> on, <c>[itemCount, dim]</c> (a view; all of them when they are all asked for).</summary>
    private Tensor ItemBlock(int firstItem, int itemCount) => itemCount == ItemCount ? _items : _items.narrow(0, firstItem, itemCount);

    private Tensor ScoreAgainst(ReadOnlySpan<int> users, Tensor items)
    {
        using var scope = NewDisposeScope();
        return UserRows(users).mm(items.t()).MoveToOuterDisposeScope();
    }

    /// <summary>The final embeddings of <paramref name="users"/>, <c>[users.Length, dim]</c>, in the caller's dispose scope.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A user index is not in the model.</exception>
    private Tensor UserRows(ReadOnlySpan<int> users)
    {
        int userCount = (int)_users.shape[0];
        foreach (int user in users)
        {
            if ((uint)user >= (uint)userCount)
            {
                throw new ArgumentOutOfRangeException(nameof(users), user, $"A user index must be from 0 to {userCount - 1}.");
            }
        }

        var index = tensor(users.ToArray(), device: _users.device).to_type(ScalarType.Int64);
        return _users.index_select(0, index);
    }

    /// <summary>Scores of folded-in visitors: <c>e_v Eᵢᵀ</c> with <c>e_v</c> as <see cref="LightGcnModel"/> documents.</summary>
    public Tensor ScoreRows(IReadOnlyList<int[]> rows) => ScoreRows(rows, 0, ItemCount);

    /// <inheritdoc />
    public Tensor ScoreRows(IReadOnlyList<int[]> rows, int firstItem, int itemCount)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var (own, propagated, scale) = _foldIn.Value;
        int dimension = (int)_items.shape[1];
        var visitors = new float[rows.Count * dimension];
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var target = visitors.AsSpan(r * dimension, dimension);
            float mean = 1f / row.Length, norm = 1f / MathF.Sqrt(row.Length);
            foreach (int item in row)
            {
                var ownRow = own.AsSpan(item * dimension, dimension);
                var propagatedRow = propagated.AsSpan(item * dimension, dimension);
                float weight = norm * scale[item];           // Â's weight 1 / sqrt(|I| d_i)
                for (int c = 0; c < dimension; c++)
                {
                    target[c] += (mean * ownRow[c]) + (weight * propagatedRow[c]);
                }
            }
        }

        using var scope = NewDisposeScope();
        var items = ItemBlock(firstItem, itemCount);
        return tensor(visitors, [rows.Count, dimension]).to(_items.device).mm(items.t()).MoveToOuterDisposeScope();
    }

    /// <summary>The cosine of every item's final embedding with <paramref name="item"/>'s.</summary>
    public float[] ItemSimilarities(int item)
    {
        using var scope = NewDisposeScope();
        var normalized = _normalizedItems.Value;
        using var values = normalized.mv(normalized[item]).to(CPU).data<float>();
        return values.ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _users.Dispose();
        _items.Dispose();
        if (_normalizedItems.IsValueCreated)
        {
            _normalizedItems.Value.Dispose();
        }
    }

    /// <summary><see cref="LightGcnModel.FoldInBasis"/> on the CPU, with 1 / sqrt(d_i) per item (0 for an item without training edges, as in Â).</summary>
    private (float[] Own, float[] Propagated, float[] Scale) FoldInBasis()
    {
        using var scope = NewDisposeScope();
        var (own, propagated) = _model.FoldInBasis();
        using var ownValues = own.to(CPU).contiguous().data<float>();
        using var propagatedValues = propagated.to(CPU).contiguous().data<float>();
        var pointers = _model.Adjacency.RowPointers;
        var scale = new float[ItemCount];
        for (int i = 0; i < scale.Length; i++)
        {
            int degree = pointers[_model.UserCount + i + 1] - pointers[_model.UserCount + i];
            scale[i] = degree == 0 ? 0f : 1f / MathF.Sqrt(degree);
        }

        return (ownValues.ToArray(), propagatedValues.ToArray(), scale);
    }
}
