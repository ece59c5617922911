using System.Globalization;
using GraphRec.Core;
using GraphRec.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

// In the namespace of WebApplication, as ASP.NET Core's own Map… extensions are: found without a using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps GraphRec's recommendation endpoints on the <see cref="ServedModel"/> registered by <c>AddGraphRecRecommender</c>.</summary>
public static class GraphRecEndpointRouteBuilderExtensions
{
    private const int MaxItemIds = 1000;

    /// <summary>
    /// Maps <c>GET {prefix}/users/{id}/recommendations?count=10</c>, <c>GET {prefix}/recommendations?items=1,50,181&amp;count=10</c>
    /// (a new user from the items it interacted with) and <c>GET {prefix}/items/{id}/similar?count=10</c>. Ids are
    /// text, exactly as the dataset gave them, URL-escaped in the path (<c>/users/cust%2F17/recommendations</c> is the
    /// user <c>cust/17</c>); in <c>items</c> commas separate them and spaces around each are trimmed. Every mistake
    /// is an RFC 9457 problem details response (<c>application/problem+json</c>) that names it, never an exception page:
    /// an empty item list or a count that is not a whole number from 1 to the catalogue is 400 with the parameter's
    /// name; an unknown user or item is 404 naming the id as given; a served model already disposed (the host is
    /// stopping) is 503.
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

        group.MapGet("/users/{id}/recommendations", (HttpContext context, string id, string? count, ServedModel served) =>
            Answer(served, (model, generation) =>
                Count(count, model) is not int k ? CountProblem(count, model)
                : Results.Ok(Recommend(model, PathId(context, id), k, generation))))
            .WithName("Recommend").WithSummary("A user's top items, best first, without the user's training items.")
            .Produces<UserRecommendationsResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/recommendations", (string? items, string? count, ServedModel served) =>
            Answer(served, (model, generation) =>
                SplitIds(items) is not string[] itemIds ? BadRequest("items", $"items must be one or more comma-separated item ids (at most {MaxItemIds}, none empty), such as items=1,50,181; it is '{Shorten(items ?? "")}'.")
                : Count(count, model) is not int k ? CountProblem(count, model)
                : Results.Ok(ToResponse(model.RecommendForItems(itemIds, k), generation))))
            .WithName("RecommendForNewUser").WithSummary("A new user's top items from the items it interacted with (exact for GF-CF, folded in for LightGCN); unknown ids are reported.")
            .Produces<NewUserRecommendationsResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/items/{id}/similar", (HttpContext context, string id, string? count, ServedModel served) =>
            Answer(served, (model, generation) =>
                Count(count, model, excludeItself: true) is not int k ? CountProblem(count, model, excludeItself: true)
                : Results.Ok(Similar(model, PathId(context, id), k, generation))))
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
    private static IResult Answer(ServedModel served, Func<IRecommender, int, IResult> answer)
    {
        try
        {
            return served.UseWithGeneration(answer);
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

    private static UserRecommendationsResponse Recommend(IRecommender model, string userId, int count, int generation)
    {
        var items = model.Recommend(userId, count);
        return new(userId, generation, [.. items.Select(RecommendedItem.From)],
            items.Any(r => r.IsPopularFallback) ? "popular-items" : "model");
    }

    private static SimilarItemsResponse Similar(IRecommender model, string itemId, int count, int generation) =>
        new(itemId, generation, [.. model.SimilarItems(itemId, count).Select(RecommendedItem.From)]);

    private static NewUserRecommendationsResponse ToResponse(NewUserRecommendations result, int generation) =>
        new(generation, result.UsedItemIds, result.UnknownItemIds, [.. result.Items.Select(RecommendedItem.From)]);

    /// <summary>
    /// The id in the path segment before the route's last one, as the client escaped it, unescaped once. Servers decode
    /// the path but leave <c>%2F</c> encoded (a '/' there would change the route), so the route value of the id
    /// <c>cust/17</c> is <c>cust%2F17</c>, the same as that of the id <c>cust%2F17</c> sent escaped; the raw request
    /// target tells them apart. Without one (or if it disagrees with the route), the route value with <c>%2F</c> decoded.
    /// </summary>
    private static string PathId(HttpContext context, string routeValue)
    {
        string fromRoute = routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        string? raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return fromRoute;
        }

        string path = raw.Split('?', 2)[0].TrimEnd('/');
        int end = path.LastIndexOf('/');
        int start = end > 0 ? path.LastIndexOf('/', end - 1) : -1;
        if (start < 0)
        {
            return fromRoute;
        }

        string fromRaw = Uri.UnescapeDataString(path[(start + 1)..end]);
        return string.Equals(fromRaw.Replace("/", "%2F", StringComparison.Ordinal), routeValue, StringComparison.OrdinalIgnoreCase)
            ? fromRaw
            : fromRoute;
    }

    /// <summary>Comma-separated item ids, each trimmed (at most <see cref="MaxItemIds"/>), or null when there are none, too many or an empty one.</summary>
    private static string[]? SplitIds(string? text)
    {
        string[] ids = (text ?? "").Split(',', StringSplitOptions.TrimEntries);
        return ids.Length > MaxItemIds || ids.Any(string.IsNullOrEmpty) ? null : ids;
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
