using System.Net;
using System.Text.Json;
using GraphRec.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GraphRec.Server.Tests;

/// <summary>
/// The serving snippet of docs/serving.md, as pasted (AddGraphRecRecommender, MapGraphRecEndpoints, nothing else), on
/// real Kestrel at 127.0.0.1: mistakes are problem details, never a 500 with a stack trace.
/// </summary>
public sealed class EndpointHelperTests : IAsyncLifetime, IDisposable
{
    private readonly ModelFiles _files = new();
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = SnippetApp(await _files.WriteAsync("model.graphrec", seed: 1));
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public void Dispose() => _files.Dispose();

    /// <summary>The app of the docs' serving snippet, its model at <paramref name="path"/>, listening on a free loopback port.</summary>
    private static WebApplication SnippetApp(string path)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddGraphRecRecommender(o => o.ModelPath = path);

        var app = builder.Build();
        app.MapGraphRecEndpoints();
        return app;
    }

    private async Task<(HttpStatusCode Status, string? MediaType, JsonElement Body)> GetAsync(string url)
    {
        using var response = await _client.GetAsync(new Uri(url, UriKind.Relative));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    [Fact]
    public async Task The_docs_serving_snippet_answers_an_unknown_user_with_a_404_problem_and_a_known_one_with_items()
    {
        var (status, mediaType, problem) = await GetAsync("/users/999/recommendations");
        var (knownStatus, _, known) = await GetAsync("/users/3/recommendations?count=4");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal("The user id \"999\" is not in the model (trained on planted).", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, knownStatus);
        Assert.Equal(4, known.GetProperty("items").GetArrayLength());
        Assert.Equal("model", known.GetProperty("source").GetString());
    }

    [Theory]
    [InlineData("/users/1/recommendations?count=0", HttpStatusCode.BadRequest)]
    [InlineData("/items/5/similar", HttpStatusCode.NotFound)]
    [InlineData("/recommendations?items=5,6", HttpStatusCode.NotFound)]
    [InlineData("/recommendations?items=abc", HttpStatusCode.NotFound)]
    [InlineData("/recommendations?items=5,", HttpStatusCode.BadRequest)]
    public async Task Every_mistake_is_a_problem_without_AddProblemDetails(string url, HttpStatusCode expected)
    {
        var (status, mediaType, problem) = await GetAsync(url);

        Assert.Equal(expected, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_disposed_served_model_is_a_503_problem()
    {
        _app.Services.GetRequiredService<ServedModel>().Dispose();
        var (status, mediaType, problem) = await GetAsync("/users/3/recommendations");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
    }
}
