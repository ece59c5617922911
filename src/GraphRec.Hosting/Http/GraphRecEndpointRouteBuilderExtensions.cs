using System.Globalization;
using GraphRec.Core;
using GraphRec.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

// In the namespace of WebApplication, as ASP.NET Core's own Map… extensions are: found without a using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps GraphRec's recommendation endpoints on the <see cref="ServedModel"/> registered by <c>AddGraphRecRecommender</c>.</summary>
public static class GraphRecEndpointRouteBuilderExtensions
{
    private const int MaxItemIds = 1000;

    /// <summary>
    /// Maps <c>GET {prefix}/users/{id}/recommendations?count=10</c>, <c>GET {prefix}/recommendations?items=1,50,181&amp;count=10</c>
    /// (a new user from the items it interacted with) and <c>GET {prefix}/items/{id}/similar?count=10</c>. Every mistake
    /// is an RFC 9457 problem details response (<c>application/problem+json</c>) that names it, never an exception page:
    /// an id or count that is not a whole number, or a count below 1 or above the catalogue, is 400 with the parameter's
    /// name; an unknown user or item is 404; a served model already disposed (the host is stopping) is 503.
    /// </summary>
    /// <param name="endpoints">The application, or a route group.</param>
    /// <param name="prefix">The path the routes are under; empty for the root.</param>
    /// <returns>The group of the three endpoints, for conventions such as <c>RequireAuthorization</c>.</returns>
    /// <example><c>app.MapGraphRecEndpoints();</c></example>
    public static RouteGroupBuilder MapGraphRecEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var group = endpoints.MapGroup(prefix);

        group.MapGet("/users/{id}/recommendations", (string id, string? count, ServedModel served) =>
            Answer(served, model =>
                Parse(id) is not long userId ? BadRequest("id", $"the user id must be a whole number; it is '{Shorten(id)}'.")
                : Count(count, model) is not int k ? CountProblem(count, model)
                : Results.Ok(ToResponse(userId, served.Generation, model.Recommend(userId, k)))))
            .WithName("Recommend").WithSummary("A user's top items, best first, without the user's training items.")
            .Produces<UserRecommendationsResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/recommendations", (string? items, string? count, ServedModel served) =>
            Answer(served, model =>
                ParseIds(items) is not long[] itemIds ? BadRequest("items", $"items must be one or more comma-separated item ids (at most {MaxItemIds}), such as items=1,50,181; it is '{Shorten(items ?? "")}'.")
                : Count(count, model) is not int k ? CountProblem(count, model)
                : Results.Ok(ToResponse(model.RecommendForItems(itemIds, k), served.Generation))))
            .WithName("RecommendForNewUser").WithSummary("A new user's top items from the items it interacted with (exact for GF-CF, folded in for LightGCN); unknown ids are reported.")
            .Produces<NewUserRecommendationsResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/items/{id}/similar", (string id, string? count, ServedModel served) =>
            Answer(served, model =>
                Parse(id) is not long itemId ? BadRequest("id", $"the item id must be a whole number; it is '{Shorten(id)}'.")
                : Count(count, model, excludeItself: true) is not int k ? CountProblem(count, model, excludeItself: true)
                : Results.Ok(new SimilarItemsResponse(itemId, served.Generation, [.. model.SimilarItems(itemId, k).Select(RecommendedItem.From)]))))
            .WithName("Similar").WithSummary("The items nearest to an item: by the cosine of LightGCN's embeddings, by GF-CF's scores for a user with only that item.")
            .Produces<SimilarItemsResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return group;
    }

    /// <summary>
    /// Runs <paramref name="answer"/> on the served model and turns what <see cref="IRecommender"/> documents it throws
    /// into problems: <see cref="KeyNotFoundException"/> (an id the model does not know) is 404 with the library's
    /// message, <see cref="ArgumentException"/> 400, <see cref="ObjectDisposedException"/> 503. Anything else is a bug,
    /// left to the host's exception handler.
    /// </summary>
    private static IResult Answer(ServedModel served, Func<IRecommender, IResult> answer)
    {
        try
        {
            return served.Use(answer);
        }
        catch (KeyNotFoundException error)
        {
            return Results.Problem(error.Message, statusCode: StatusCodes.Status404NotFound, title: "Not in the model");
        }
        catch (ArgumentException error)
        {
            return Results.Problem(error.Message, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
        }
        catch (ObjectDisposedException)
        {
            return Results.Problem("The model is not loaded: the service is stopping. Try again.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "No model");
        }
    }

    private static UserRecommendationsResponse ToResponse(long userId, int generation, IReadOnlyList<Recommendation> items) =>
        new(userId, generation, [.. items.Select(RecommendedItem.From)],
            items.Any(r => r.Source == RecommendationSource.PopularItems) ? "popular-items" : "model");

    private static NewUserRecommendationsResponse ToResponse(NewUserRecommendations result, int generation) =>
        new(generation, result.UsedItemIds, result.UnknownItemIds, [.. result.Items.Select(RecommendedItem.From)]);

    private static long? Parse(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : null;

    /// <summary>Comma-separated item ids (at most <see cref="MaxItemIds"/>), or null when the text is empty or holds something else.</summary>
    private static long[]? ParseIds(string? text)
    {
        string[] parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > MaxItemIds || parts.All(string.IsNullOrEmpty))
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

    /// <summary>The count asked for: 10 when absent; null when it is not a whole number from 1 to the items there are.</summary>
    private static int? Count(string? text, IRecommender model, bool excludeItself = false) =>
        text is null ? Math.Min(10, Largest(model, excludeItself))
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1 && count <= Largest(model, excludeItself) ? count
        : null;

    private static int Largest(IRecommender model, bool excludeItself) => Math.Max(1, model.Items.Count - (excludeItself ? 1 : 0));

    private static IResult CountProblem(string? text, IRecommender model, bool excludeItself = false) =>
        BadRequest("count", $"count must be a whole number from 1 to {Largest(model, excludeItself)}; it is '{Shorten(text ?? "")}'.");

    private static IResult BadRequest(string parameter, string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: $"Bad {parameter}",
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    /// <summary>Request text quoted in a problem: cut, and without control characters.</summary>
    private static string Shorten(string text) =>
        new([.. (text.Length > 40 ? text[..40] + "…" : text).Select(c => char.IsControl(c) ? '?' : c)]);
}
