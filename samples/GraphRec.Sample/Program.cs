using TorchSharp;

Console.WriteLine($"GraphRec sample: TorchSharp {typeof(torch).Assembly.GetName().Version} on {torch.get_num_threads()} threads.");
using var ones = torch.ones(3, 3);
Console.WriteLine($"sum of a 3x3 tensor of ones: {ones.sum().item<float>()}");
