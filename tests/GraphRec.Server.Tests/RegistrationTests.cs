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
    [InlineData("layers", "Layers must be from 0 to 64")]
    [InlineData("rows", "must be distinct, sorted")]
    public async Task A_forged_model_that_the_cli_refuses_stops_the_host_at_start_with_one_message(string forgery, string expected)
    {
        string path = await _files.WriteForgedAsync("forged.graphrec", forgery);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGraphRecRecommender(o => o.ModelPath = path);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("ServedModelOptions.ModelPath: " + path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("layers")]
    [InlineData("rows")]
    public async Task The_server_refuses_a_forged_model_with_one_line_and_exit_code_one(string forgery)
    {
        string path = await _files.WriteForgedAsync("forged.graphrec", forgery);
        var previous = Console.Error;
        using var errors = new StringWriter();
        Console.SetError(errors);
        int code;
        try
        {
            code = await GraphRec.Server.ServerApp.RunAsync(["--model", path, "--urls", "http://127.0.0.1:0"]).WaitAsync(TimeSpan.FromMinutes(1));
        }
        finally
        {
            Console.SetError(previous);
        }

        Assert.Equal(1, code);
        Assert.StartsWith("error: ServedModelOptions.ModelPath: " + path, errors.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", errors.ToString(), StringComparison.Ordinal);
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
