using GraphRec.Data;

namespace GraphRec.Core.Inference;

/// <summary>One recommended (or similar) item.</summary>
/// <param name="ItemId">The item's original id.</param>
/// <param name="ItemIndex">The item's dense index.</param>
/// <param name="Score">The model's score: <c>e_u · e_i</c> for a recommendation, the cosine for a similar item, the training count for a popularity fallback.</param>
/// <param name="Info">Title, year and genres, when the dataset has them.</param>
public sealed record Recommendation(long ItemId, int ItemIndex, float Score, ItemInfo? Info);

/// <summary>A user's recommendations.</summary>
/// <param name="UserId">The user's original id.</param>
/// <param name="Items">Best first.</param>
/// <param name="IsFallback">True when the user was unknown and <see cref="UnknownUserPolicy.MostPopular"/> gave the most popular items.</param>
public sealed record UserRecommendations(long UserId, IReadOnlyList<Recommendation> Items, bool IsFallback);

/// <summary>What to do for a user id the model never saw.</summary>
public enum UnknownUserPolicy
{
    /// <summary>Throw <see cref="UnknownIdException"/> (the default).</summary>
    Throw,

    /// <summary>Recommend the items most often interacted with in training.</summary>
    MostPopular,
}

/// <summary>Options of <see cref="LightGcnRecommender"/>.</summary>
public sealed record RecommenderOptions
{
    /// <summary>Unknown users: throw, or fall back to the most popular items. Default <see cref="UnknownUserPolicy.Throw"/>.</summary>
    public UnknownUserPolicy UnknownUsers { get; init; } = UnknownUserPolicy.Throw;

    /// <summary>Users scored at once when recommending for many. Default 256.</summary>
    public int UserBatchSize { get; init; } = 256;

    /// <summary>Checks every value before any work.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the property.</exception>
    public void Validate()
    {
        if (UserBatchSize <= 0)
        {
            throw new ArgumentException($"{nameof(RecommenderOptions)}.{nameof(UserBatchSize)} must be positive; it is {UserBatchSize}.");
        }

        if (!Enum.IsDefined(UnknownUsers))
        {
            throw new ArgumentException($"{nameof(RecommenderOptions)}.{nameof(UnknownUsers)} is {(int)UnknownUsers}, which is not a {nameof(UnknownUserPolicy)}.");
        }
    }
}

/// <summary>The final embeddings as plain arrays, row-major, in dense-index order.</summary>
/// <param name="UserIds">Original id of each user row.</param>
/// <param name="ItemIds">Original id of each item row.</param>
/// <param name="Dimension">Values per row.</param>
/// <param name="Users">User embeddings, <c>UserIds.Count × Dimension</c>.</param>
/// <param name="Items">Item embeddings, <c>ItemIds.Count × Dimension</c>.</param>
public sealed record EmbeddingExport(IReadOnlyList<long> UserIds, IReadOnlyList<long> ItemIds, int Dimension, float[] Users, float[] Items)
{
    /// <summary>The embedding of user row <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> User(int index) => Users.AsSpan(index * Dimension, Dimension);

    /// <summary>The embedding of item row <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Item(int index) => Items.AsSpan(index * Dimension, Dimension);
}

/// <summary>A user or item id that is not in the model.</summary>
public sealed class UnknownIdException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="kind"/> ("user" or "item") <paramref name="id"/>.</summary>
    public UnknownIdException(string kind, long id, string datasetName)
        : base($"The {kind} id {id} is not in the model (trained on {datasetName}).")
    {
        Kind = kind;
        Id = id;
    }

    /// <summary>"user" or "item".</summary>
    public string Kind { get; }

    /// <summary>The id asked for.</summary>
    public long Id { get; }
}
