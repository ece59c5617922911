using static TorchSharp.torch;

namespace GraphRec.Core;

/// <summary>Scores with a LightGCN model: propagates once, then <c>ŷ_u· = e_u Eᵢᵀ</c> per batch of users.</summary>
internal sealed class LightGcnScorer : IScorer, IDisposable
{
    private readonly Tensor _users;
    private readonly Tensor _items;

    /// <summary>Propagates <paramref name="model"/> without gradients and keeps the final embeddings.</summary>
    public LightGcnScorer(LightGcnModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (users, items) = model.Propagate();
        _users = users.detach().MoveToOuterDisposeScope();
        _items = items.detach().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public int ItemCount => (int)_items.shape[0];

    /// <summary>The final user embeddings, <c>[users, dim]</c>.</summary>
    public Tensor UserEmbeddings => _users;

    /// <summary>The final item embeddings, <c>[items, dim]</c>.</summary>
    public Tensor ItemEmbeddings => _items;

    /// <inheritdoc />
    public Tensor Score(ReadOnlySpan<int> users)
    {
        int userCount = (int)_users.shape[0];
        foreach (int user in users)
        {
            if ((uint)user >= (uint)userCount)
            {
                throw new ArgumentOutOfRangeException(nameof(users), user, $"A user index must be from 0 to {userCount - 1}.");
            }
        }

        using var scope = NewDisposeScope();
        var index = tensor(users.ToArray(), device: _users.device).to_type(ScalarType.Int64);
        return _users.index_select(0, index).mm(_items.t()).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _users.Dispose();
        _items.Dispose();
    }
}
