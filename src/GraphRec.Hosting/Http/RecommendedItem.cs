using GraphRec.Core;

namespace GraphRec.Hosting;

/// <summary>One recommended or similar item, as the GraphRec endpoints return it.</summary>
/// <param name="ItemId">The item's id, as the dataset gave it.</param>
/// <param name="Title">Its title, when the dataset has one.</param>
/// <param name="Year">Its year, when known.</param>
/// <param name="Genres">Its genres.</param>
/// <param name="Score">The model's score, higher is better: LightGCN's dot product or GF-CF's filter score; for similar items, LightGCN's cosine.</param>
public sealed record RecommendedItem(string ItemId, string? Title, int? Year, IReadOnlyList<string> Genres, float Score)
{
    /// <summary>The response form of <paramref name="item"/>.</summary>
    public static RecommendedItem From(Recommendation item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new(item.ItemId, item.Info?.Title, item.Info?.Year, item.Info?.Genres ?? [], item.Score);
    }
}
