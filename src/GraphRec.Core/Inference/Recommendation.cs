using GraphRec.Data;

namespace GraphRec.Core;

/// <summary>One recommended (or similar) item.</summary>
/// <param name="ItemId">The item's id as the dataset gave it (an integer id in its canonical text, such as <c>"50"</c>).</param>
/// <param name="ItemIndex">The item's dense index.</param>
/// <param name="Score">The model's score: LightGCN's <c>e_u · e_i</c> or GF-CF's filter score for a recommendation; for a similar item LightGCN's cosine or GF-CF's score for a user with only that item; the training count for a popular item.</param>
/// <param name="Info">Title, year and genres, when the dataset has them.</param>
public sealed record Recommendation(string ItemId, int ItemIndex, float Score, ItemInfo? Info)
{
    /// <summary>
    /// False for the model's own scores; true for a popular item given in their place, which is what a user without
    /// training interactions is recommended (the model knows nothing of the user, and says so here rather than ranking
    /// by untrained scores). <see cref="Score"/> is then the item's training count.
    /// </summary>
    public bool IsPopularFallback { get; init; }
}
