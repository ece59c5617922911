using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GraphRec.Core;
using GraphRec.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GraphRec.Server.Tests;

/// <summary>The server sample over HTTP, in process, on a small trained model.</summary>
public sealed class ServerTests : IAsyncLifetime, IDisposable
{
    private readonly ModelFiles _files = new();
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;
    private string _path = "";

    public async Task InitializeAsync()
    {
        _path = await _files.WriteAsync("model.graphrec", seed: 1);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host
            .UseSetting("GraphRec:ModelPath", _path)
            .UseSetting("GraphRec:ReloadDelay", "00:00:00.100"));
        _client = _factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    public void Dispose() => _files.Dispose();

    private async Task<JsonElement> GetJsonAsync(string url, HttpStatusCode expected)
    {
        using var response = await _client.GetAsync(new Uri(url, UriKind.Relative));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{url}: {(int)response.StatusCode} {body}");
        if (expected != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task Recommendations_are_original_ids_with_metadata_best_first_without_training_items()
    {
        var body = await GetJsonAsync("/users/3/recommendations?count=5", HttpStatusCode.OK);

        var items = body.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(5, items.Length);
        Assert.Equal("3", body.GetProperty("userId").GetString());
        var scores = items.Select(i => i.GetProperty("score").GetSingle()).ToArray();
        Assert.Equal(scores.OrderDescending(), scores);
        using var model = await LightGcn.LoadAsync(_path);
        var seen = model.TrainingInteractions.ItemsOf(model.Users.GetIndex(3)).ToArray().Select(model.Items.GetId).ToHashSet();
        Assert.All(items, item =>
        {
            Assert.DoesNotContain(item.GetProperty("itemId").GetString()!, seen);
            Assert.StartsWith("Movie ", item.GetProperty("title").GetString(), StringComparison.Ordinal);
            Assert.True(item.GetProperty("year").GetInt32() >= 1990);
            Assert.Single(item.GetProperty("genres").EnumerateArray());
        });
        Assert.Equal(model.Recommend(3, 5).Select(r => r.ItemId), items.Select(i => i.GetProperty("itemId").GetString()));
    }

    [Fact]
    public async Task A_user_without_training_interactions_gets_the_popular_items_and_the_response_says_so()
    {
        string path = await _files.WriteWithUntrainedUserAsync("untrained.graphrec");
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host.UseSetting("GraphRec:ModelPath", path));
        using var client = factory.CreateClient();
        using var model = await LightGcn.LoadAsync(path);

        var untrained = JsonDocument.Parse(await client.GetStringAsync(new Uri("/users/40/recommendations?count=4", UriKind.Relative))).RootElement;
        var trained = JsonDocument.Parse(await client.GetStringAsync(new Uri("/users/3/recommendations?count=4", UriKind.Relative))).RootElement;

        Assert.Equal("popular-items", untrained.GetProperty("source").GetString());
        Assert.Equal(model.PopularItems(4).Select(r => r.ItemId), untrained.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()));
        Assert.Equal("model", trained.GetProperty("source").GetString());
    }

    [Fact]
    public async Task Similar_items_exclude_the_item_and_default_to_ten()
    {
        var body = await GetJsonAsync("/items/104/similar", HttpStatusCode.OK);

        var ids = body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()).ToArray();
        Assert.Equal(10, ids.Length);
        Assert.DoesNotContain("104", ids);
    }

    [Theory]
    [InlineData("/users/999/recommendations", HttpStatusCode.NotFound, "The user id \"999\" is not in the model")]
    [InlineData("/items/5/similar", HttpStatusCode.NotFound, "The item id \"5\" is not in the model")]
    [InlineData("/users/abc/recommendations", HttpStatusCode.NotFound, "The user id \"abc\" is not in the model")]
    [InlineData("/items/%20x%2B1/similar", HttpStatusCode.NotFound, "The item id \" x+1\" is not in the model")]
    [InlineData("/users/1/recommendations?count=0", HttpStatusCode.BadRequest, "count must be a whole number from 1 to 30; it is '0'")]
    [InlineData("/users/1/recommendations?count=-3", HttpStatusCode.BadRequest, "count must be a whole number from 1 to 30; it is '-3'")]
    [InlineData("/users/1/recommendations?count=31", HttpStatusCode.BadRequest, "count must be a whole number from 1 to 30; it is '31'")]
    [InlineData("/users/1/recommendations?count=ten", HttpStatusCode.BadRequest, "it is 'ten'")]
    [InlineData("/items/100/similar?count=30", HttpStatusCode.BadRequest, "count must be a whole number from 1 to 29")]
    [InlineData("/recommendations", HttpStatusCode.BadRequest, "items must be one or more comma-separated item ids")]
    [InlineData("/recommendations?items=", HttpStatusCode.BadRequest, "items must be one or more comma-separated item ids")]
    [InlineData("/recommendations?items=100,,101", HttpStatusCode.BadRequest, "it is '100,,101'")]
    [InlineData("/recommendations?items=5,6", HttpStatusCode.NotFound, "None of the item ids \"5\", \"6\" is in the model")]
    [InlineData("/recommendations?items=100&count=0", HttpStatusCode.BadRequest, "count must be a whole number from 1 to 30")]
    public async Task Every_request_mistake_is_a_problem_that_names_what_was_wrong(string url, HttpStatusCode status, string detail)
    {
        var problem = await GetJsonAsync(url, status);

        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_user_gets_the_models_recommendations_for_its_items_and_unknown_ids_are_reported()
    {
        var body = await GetJsonAsync("/recommendations?items=101,7,103&count=4", HttpStatusCode.OK);

        using var model = await LightGcn.LoadAsync(_path);
        var expected = model.RecommendForItems([101, 7, 103], 4);
        Assert.Equal(["101", "103"], body.GetProperty("usedItemIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["7"], body.GetProperty("unknownItemIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(expected.Items.Select(i => i.ItemId), body.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("itemId").GetString()));
    }

    [Theory]
    [InlineData("gf-cf")]
    [InlineData("spectral")]
    public async Task A_graph_filter_file_is_served_too_and_replaces_lightgcn_on_reload(string kind)
    {
        var dataset = ModelFiles.Dataset();
        var split = dataset.Split(Splitters.RandomHoldout(0.2, seed: 1));
        var options = kind == "gf-cf" ? SpectralFilterOptions.GfCf() : SpectralFilterOptions.ChebyCf();
        options.Rank = 8;
        using (var filter = SpectralFilter.Fit(dataset, split, options))
        {
            await filter.SaveAsync(_path);
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        JsonElement model;
        do
        {
            await Task.Delay(100);
            model = await GetJsonAsync("/model", HttpStatusCode.OK);
        }
        while (model.GetProperty("kind").GetString() != kind && DateTime.UtcNow < deadline);

        Assert.Equal(kind, model.GetProperty("kind").GetString());
        using var loaded = await Recommenders.LoadAsync(_path);
        var body = await GetJsonAsync("/users/3/recommendations?count=5", HttpStatusCode.OK);
        Assert.Equal(loaded.Recommend(3, 5).Select(i => i.ItemId), body.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("itemId").GetString()));
        var visitor = await GetJsonAsync("/recommendations?items=101,102", HttpStatusCode.OK);
        Assert.Equal(loaded.RecommendForItems([101, 102]).Items.Select(i => i.ItemId), visitor.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("itemId").GetString()));
    }

    [Theory]
    [InlineData("cust/ü 003+")]
    [InlineData("cust/ü 017+")]
    public async Task A_model_with_text_ids_is_served_by_the_ids_as_given_url_escaped(string userId)
    {
        string path = await _files.WriteAsync("text-ids.graphrec", seed: 1, textIds: true);
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host.UseSetting("GraphRec:ModelPath", path));
        using var client = factory.CreateClient();
        using var model = await LightGcn.LoadAsync(path);
        async Task<JsonElement> GetAsync(string url) => JsonDocument.Parse(await client.GetStringAsync(new Uri(url, UriKind.Relative))).RootElement;

        var user = await GetAsync($"/users/{Uri.EscapeDataString(userId)}/recommendations?count=4");
        var similar = await GetAsync("/items/SKU-0104/similar?count=3");
        var visitor = await GetAsync("/recommendations?items=SKU-0101,%20SKU-0103,n%C3%B6pe");
        using var unknown = await client.GetAsync(new Uri("/users/cust%2F%C3%BC%20999%2B/recommendations", UriKind.Relative));
        var problem = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(userId, user.GetProperty("userId").GetString());
        Assert.Equal(model.Recommend(userId, 4).Select(r => r.ItemId), user.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()));
        Assert.Equal(model.SimilarItems("SKU-0104", 3).Select(r => r.ItemId), similar.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()));
        Assert.Equal(["SKU-0101", "SKU-0103"], visitor.GetProperty("usedItemIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["nöpe"], visitor.GetProperty("unknownItemIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("The user id \"cust/ü 999+\" is not in the model", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_model_and_openapi_answer()
    {
        using var health = await _client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var model = await GetJsonAsync("/model", HttpStatusCode.OK);
        Assert.Equal((1, 40, 30), (model.GetProperty("generation").GetInt32(), model.GetProperty("users").GetInt32(), model.GetProperty("items").GetInt32()));
        Assert.Equal("lightgcn", model.GetProperty("kind").GetString());
        var openApi = await GetJsonAsync("/openapi/v1.json", HttpStatusCode.OK);
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/users/{id}/recommendations", out _));
    }

    [Fact]
    public async Task A_new_file_is_served_without_a_restart_and_without_failing_a_request()
    {
        using var expected = ModelFiles.Train(seed: 2);
        string[] newTop = [.. expected.Recommend(1, 5).Select(r => r.ItemId)];
        var failures = new List<string>();
        int generationTwoAnswers = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        async Task HammerAsync()
        {
            while (!stop.IsCancellationRequested && Volatile.Read(ref generationTwoAnswers) < 50)
            {
                using var response = await _client.GetAsync(new Uri("/users/1/recommendations?count=5", UriKind.Relative));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    string failure = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    lock (failures)
                    {
                        failures.Add(failure);
                    }

                    continue;
                }

                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (body.GetProperty("model").GetInt32() == 2)
                {
                    Assert.Equal(newTop, body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()));
                    Interlocked.Increment(ref generationTwoAnswers);
                }
            }
        }

        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(HammerAsync)).ToArray();
        await Task.Delay(300);
        await expected.SaveAsync(_path); // written to model.graphrec.tmp, then renamed over the served file
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.True(generationTwoAnswers >= 50, $"only {generationTwoAnswers} answers came from the new model within 30 s");
    }

    [Fact]
    public async Task A_damaged_new_file_is_refused_and_the_old_model_keeps_serving()
    {
        string damaged = _path + ".damaged";
        await File.WriteAllBytesAsync(damaged, (await File.ReadAllBytesAsync(_path))[..500]);
        File.Move(damaged, _path, overwrite: true);
        await Task.Delay(1000); // well past the reload delay

        var model = await GetJsonAsync("/model", HttpStatusCode.OK);
        Assert.Equal(1, model.GetProperty("generation").GetInt32());
        await GetJsonAsync("/users/1/recommendations", HttpStatusCode.OK);

        // The watcher is still there: a good file after the damaged one is served.
        using var next = ModelFiles.Train(seed: 3);
        await next.SaveAsync(_path);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await GetJsonAsync("/model", HttpStatusCode.OK)).GetProperty("generation").GetInt32() == 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(2, (await GetJsonAsync("/model", HttpStatusCode.OK)).GetProperty("generation").GetInt32());
    }
}
