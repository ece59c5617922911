using System.Globalization;
using GraphRec.Core;
using GraphRec.Hosting;

namespace GraphRec.Server;

/// <summary>One recommended or similar item, as the API returns it.</summary>
/// <param name="ItemId">The item's original id.</param>
/// <param name="Title">Its title, when the dataset has one.</param>
/// <param name="Year">Its year, when known.</param>
/// <param name="Genres">Its genres.</param>
/// <param name="Score">The model's score, higher is better: LightGCN's dot product or GF-CF's filter score; for similar items, LightGCN's cosine.</param>
internal sealed record ItemResult(long ItemId, string? Title, int? Year, IReadOnlyList<string> Genres, float Score)
{
    public static ItemResult From(Recommendation item) =>
        new(item.ItemId, item.Info?.Title, item.Info?.Year, item.Info?.Genres ?? [], item.Score);
}

/// <summary>A user's recommendations, best first; the user's training items are never among them.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Model">The generation of the model that answered.</param>
/// <param name="Items">The items, best first.</param>
/// <param name="Source">
/// <c>model</c> for the model's own ranking; <c>popular-items</c> when the user has no training interactions (it is in
/// the dataset only through held-out ones), so the model knows nothing of it and the items are the most popular ones,
/// the same for every such user, each scored by its training count.
/// </param>
internal sealed record UserRecommendations(long UserId, int Model, IReadOnlyList<ItemResult> Items, string Source)
{
    public static UserRecommendations From(long userId, int generation, IReadOnlyList<Recommendation> items) =>
        new(userId, generation, [.. items.Select(ItemResult.From)],
            items.Any(r => r.Source == RecommendationSource.PopularItems) ? "popular-items" : "model");
}

/// <summary>A new user's recommendations, from the items it brought; none of those is among them.</summary>
/// <param name="UsedItemIds">The items given that the model knows: what the recommendations come from.</param>
/// <param name="UnknownItemIds">The items given that the model does not know: left out.</param>
internal sealed record NewUserResult(int Model, IReadOnlyList<long> UsedItemIds, IReadOnlyList<long> UnknownItemIds, IReadOnlyList<ItemResult> Items);

/// <summary>The items nearest to an item.</summary>
internal sealed record SimilarItems(long ItemId, int Model, IReadOnlyList<ItemResult> Items);

/// <summary>What is served.</summary>
internal sealed record ModelInfo(string Path, int Generation, DateTimeOffset LoadedAt, string Kind, string Dataset, int Users, int Items);

/// <summary>The recommendation endpoints. Every mistake in a request is a 4xx problem details response that names what was wrong.</summary>
internal static class RecommendationEndpoints
{
    public static void MapRecommendations(this WebApplication app)
    {
        app.MapGet("/users/{id}/recommendations", (string id, string? count, ServedModel served) =>
            served.Use(model =>
                Parse(id) is not long userId ? BadRequest("id", $"the user id must be a whole number; it is '{Shorten(id)}'.")
                : Count(count, model) is not int k ? CountProblem(count, model)
                : !model.Users.TryGetIndex(userId, out _) ? NotFound($"User {userId} is not in the model (trained on {model.DatasetName}).")
                : Results.Ok(UserRecommendations.From(userId, served.Generation, model.Recommend(userId, k)))))
            .WithName("Recommend").WithSummary("A user's top items, best first, without the user's training items.")
            .Produces<UserRecommendations>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/recommendations", (string? items, string? count, ServedModel served) =>
            served.Use(model =>
                ParseIds(items) is not long[] itemIds ? BadRequest("items", $"items must be one or more comma-separated item ids, such as items=1,50,181; it is '{Shorten(items ?? "")}'.")
                : Count(count, model) is not int k ? CountProblem(count, model)
                : !itemIds.Any(id => model.Items.TryGetIndex(id, out _)) ? NotFound($"None of the items {Shorten(string.Join(",", itemIds))} is in the model (trained on {model.DatasetName}).")
                : Results.Ok(ToResult(model.RecommendForItems(itemIds, k), served.Generation))))
            .WithName("RecommendForNewUser").WithSummary("A new user's top items from the items it interacted with (exact for GF-CF, folded in for LightGCN); unknown ids are reported.")
            .Produces<NewUserResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/items/{id}/similar", (string id, string? count, ServedModel served) =>
            served.Use(model =>
                Parse(id) is not long itemId ? BadRequest("id", $"the item id must be a whole number; it is '{Shorten(id)}'.")
                : Count(count, model, excludeItself: true) is not int k ? CountProblem(count, model, excludeItself: true)
                : !model.Items.TryGetIndex(itemId, out _) ? NotFound($"Item {itemId} is not in the model (trained on {model.DatasetName}).")
                : Results.Ok(new SimilarItems(itemId, served.Generation, [.. model.SimilarItems(itemId, k).Select(ItemResult.From)]))))
            .WithName("Similar").WithSummary("The items nearest to an item: by the cosine of LightGCN's embeddings, by GF-CF's scores for a user with only that item.")
            .Produces<SimilarItems>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/model", (ServedModel served) =>
            served.Use(model => Results.Ok(new ModelInfo(served.ModelPath, served.Generation, served.LoadedAt, model.ModelKind, model.DatasetName, model.Users.Count, model.Items.Count))))
            .WithName("Model").WithSummary("The model served: its file, generation (1, then one more per reload), kind (lightgcn, gf-cf or spectral), dataset and size.")
            .Produces<ModelInfo>();
    }

    private static long? Parse(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : null;

    /// <summary>Comma-separated item ids (at most 1,000), or null when the text is empty or holds something else.</summary>
    private static long[]? ParseIds(string? text)
    {
        string[] parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > 1000 || parts.All(string.IsNullOrEmpty))
        {
            return null;
        }

        var ids = new long[parts.Length];
        for (int p = 0; p < parts.Length; p++)
        {
            if (Parse(parts[p]) is not long id)
            {
                return null;
            }

            ids[p] = id;
        }

        return ids;
    }

    private static NewUserResult ToResult(NewUserRecommendations result, int generation) =>
        new(generation, result.UsedItemIds, result.UnknownItemIds, [.. result.Items.Select(ItemResult.From)]);

    /// <summary>The count asked for: 10 when absent; null when it is not a whole number from 1 to the items there are.</summary>
    private static int? Count(string? text, IRecommender model, bool excludeItself = false) =>
        text is null ? Math.Min(10, Largest(model, excludeItself))
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1 && count <= Largest(model, excludeItself) ? count
        : null;

    private static int Largest(IRecommender model, bool excludeItself) => Math.Max(1, model.Items.Count - (excludeItself ? 1 : 0));

    private static IResult CountProblem(string? text, IRecommender model, bool excludeItself = false) =>
        BadRequest("count", $"count must be a whole number from 1 to {Largest(model, excludeItself)}; it is '{Shorten(text ?? "")}'.");

    private static IResult BadRequest(string parameter, string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: $"Bad {parameter}", extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    private static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not in the model");

    /// <summary>Request text quoted in a problem: cut, and without control characters.</summary>
    private static string Shorten(string text) =>
        new([.. (text.Length > 40 ? text[..40] + "…" : text).Select(c => char.IsControl(c) ? '?' : c)]);
}
