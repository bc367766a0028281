// SIGHUP: the file is read again with the same environment; the table's `reload` column says
// what applies (`Settings.restartRequired` names the rest). The daemon side is `Reloader`.

extension Config {
    /// Loads the file this config came from again, with the same environment and bounds.
    public func reload(limits: ConfigLoadLimits = ConfigLoadLimits()) throws(ConfigError) -> Config {
        try Config.load(path: path, environment: loadEnvironment, limits: limits)
    }
}
