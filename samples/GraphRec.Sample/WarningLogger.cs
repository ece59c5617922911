using Microsoft.Extensions.Logging;

namespace GraphRec.Sample;

/// <summary>
/// The library's warnings (a checkpoint that could not be written, for example) as one <c>warning:</c> line each on
/// stderr, in the form of the sample's <c>error:</c> lines; its information lines are left to the progress display.
/// </summary>
internal sealed class WarningLogger<T> : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.Error.WriteLine($"warning: {formatter(state, exception)}");
        }
    }
}
