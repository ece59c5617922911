using System.Diagnostics.CodeAnalysis;

// RS0026 guards against overloads that differ only in optional parameters, where adding one changes which a compiled
// call binds to. The recommenders' id overloads differ in the id's type (string or long) and never only in optional
// parameters, so a call binds the same whichever is added: the long overload keeps Recommend(196) compiling.
[assembly: SuppressMessage("ApiDesign", "RS0026", Scope = "type", Target = "~T:GraphRec.Core.IRecommender", Justification = "Id overloads differ in the id's type.")]
[assembly: SuppressMessage("ApiDesign", "RS0026", Scope = "type", Target = "~T:GraphRec.Core.LightGcn", Justification = "Id overloads differ in the id's type.")]
[assembly: SuppressMessage("ApiDesign", "RS0026", Scope = "type", Target = "~T:GraphRec.Core.SpectralFilter", Justification = "Id overloads differ in the id's type.")]
