namespace AccidentRemote.Server;

/// <summary>Marker for the driver-facing texts in <c>Resources/DriverMessages.*.resx</c> (zh-CN and en).</summary>
public sealed class DriverMessages;
