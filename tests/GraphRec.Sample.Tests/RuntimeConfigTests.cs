using System.Text.Json;

namespace GraphRec.Sample.Tests;

/// <summary>
/// The programs that train keep idle thread-pool workers from spinning: on two cores a spinning worker takes turns
/// with the kernel's threads (a Gowalla epoch measured slower; docs/training.md).
/// </summary>
public sealed class RuntimeConfigTests
{
    private const string SpinLimit = "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit";

    [Theory]
    [InlineData("graphrec-sample")]
    [InlineData("graphrec-quickstart")]
    public void A_training_program_runs_with_idle_thread_pool_workers_that_do_not_spin(string program)
    {
        string path = Path.Combine(AppContext.BaseDirectory, program + ".runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));

        Assert.True(config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").TryGetProperty(SpinLimit, out var limit),
            $"{path} does not set {SpinLimit}");
        Assert.Equal(0, limit.GetInt32());
    }
}
