using GraphRec.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GraphRec.Server.Tests;

/// <summary>AddGraphRecRecommender in a plain host, as a worker service would use it.</summary>
public sealed class RegistrationTests : IDisposable
{
    private readonly ModelFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Options_bound_from_configuration_serve_the_model_from_the_container()
    {
        string path = await _files.WriteAsync("model.graphrec", seed: 1);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["GraphRec:ModelPath"] = path, ["GraphRec:ReloadOnChange"] = "false" });
        builder.Services.AddGraphRecRecommender(builder.Configuration.GetSection("GraphRec"));
        using var host = builder.Build();

        await host.StartAsync();
        var served = host.Services.GetRequiredService<ServedModel>();

        Assert.Same(served, host.Services.GetRequiredService<ServedModel>());
        Assert.False(host.Services.GetRequiredService<IOptions<ServedModelOptions>>().Value.ReloadOnChange);
        Assert.Equal(3, served.Use(model => model.Recommend(1, 3)).Count);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("", "ModelPath is empty")]
    [InlineData("missing.graphrec", "No model file at")]
    [InlineData("damaged.graphrec", "corrupted: the SHA-256 checksum")]
    public async Task A_missing_or_damaged_model_stops_the_host_at_start_with_one_message(string name, string expected)
    {
        string path = await _files.WriteAsync("damaged.graphrec", seed: 1);
        byte[] bytes = await File.ReadAllBytesAsync(path);
        bytes[^3] ^= 0x55;
        await File.WriteAllBytesAsync(path, bytes);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGraphRecRecommender(o => o.ModelPath = name.Length == 0 ? "" : Path.Combine(_files.Folder, name));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
