// Sightline's built-in grok pattern library, written for RE2 from the documented meaning of the standard grok
// pattern names (Logstash-compatible names, our own definitions: no lookarounds or atomic groups, bounded size so the
// compiled programs stay small and fast). Composite patterns capture the fields `timestamp`, `level` and `message`
// where the format has them, so `normalize` picks them up without configuration.

/** name → RE2 regex, which may reference other patterns as %{NAME} or %{NAME:field}. */
export const GROK_PATTERNS: Readonly<Record<string, string>> = {
  // ---- text and numbers
  USERNAME: '[a-zA-Z0-9._-]+',
  USER: '%{USERNAME}',
  EMAILLOCALPART: "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*",
  EMAILADDRESS: '%{EMAILLOCALPART}@%{HOSTNAME}',
  INT: '[+-]?[0-9]+',
  BASE10NUM: '[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)',
  NUMBER: '%{BASE10NUM}',
  BASE16NUM: '[+-]?(?:0[xX])?[0-9A-Fa-f]+',
  BASE16FLOAT: '[+-]?(?:0[xX])?(?:[0-9A-Fa-f]+(?:\\.[0-9A-Fa-f]*)?|\\.[0-9A-Fa-f]+)',
  POSINT: '[1-9][0-9]*',
  NONNEGINT: '[0-9]+',
  WORD: '\\b\\w+\\b',
  NOTSPACE: '\\S+',
  SPACE: '\\s*',
  DATA: '.*?',
  GREEDYDATA: '.*',
  // a quoted string, quotes included: "…", '…' or `…`, with backslash escapes
  QUOTEDSTRING: '"(?:[^"\\\\]|\\\\.)*"|\'(?:[^\'\\\\]|\\\\.)*\'|`(?:[^`\\\\]|\\\\.)*`',
  QS: '%{QUOTEDSTRING}',
  // the inside of a double-quoted string (backslash escapes allowed), for formats that quote their fields
  QSCONTENT: '[^"\\\\]*(?:\\\\.[^"\\\\]*)*',
  UUID: '[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}',
  URN: "urn:[0-9A-Za-z][0-9A-Za-z-]*:(?:%[0-9a-fA-F]{2}|[0-9A-Za-z()+,.:=@;$_!*'/?#-])+",

  // ---- networking
  CISCOMAC: '(?:[A-Fa-f0-9]{4}\\.){2}[A-Fa-f0-9]{4}',
  WINDOWSMAC: '(?:[A-Fa-f0-9]{2}-){5}[A-Fa-f0-9]{2}',
  COMMONMAC: '(?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2}',
  MAC: '%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC}',
  // dotted quad, each part 0–255
  IPV4: '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}',
  // eight hex groups, or fewer around one `::` (the part after it may end in a dotted quad: ::ffff:10.0.0.1), optionally
  // with a %zone. Group counts around `::` and the quad's values are not checked: that keeps the program small.
  IPV6:
    '(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::' +
    '(?:(?:[0-9A-Fa-f]{1,4}:)*(?:[0-9]{1,3}(?:\\.[0-9]{1,3}){3}|[0-9A-Fa-f]{1,4}))?)(?:%[0-9A-Za-z.]+)?',
  IP: '%{IPV6}|%{IPV4}',
  // RFC 1123 labels (underscores tolerated, as real hostnames have them), optional trailing dot
  HOSTNAME: '\\b[0-9A-Za-z_][0-9A-Za-z_-]*(?:\\.[0-9A-Za-z_][0-9A-Za-z_-]*)*\\.?',
  IPORHOST: '%{IP}|%{HOSTNAME}',
  HOSTPORT: '%{IPORHOST}:%{POSINT}',

  // ---- paths and URIs (RFC 3986 character sets)
  UNIXPATH: '(?:/[\\w%!$@:.,+~-]*)+',
  WINPATH: '(?:[A-Za-z]+:|\\\\)(?:\\\\[^\\\\?*]*)+',
  PATH: '%{UNIXPATH}|%{WINPATH}',
  TTY: '/dev/(?:pts|tty[pq]?)(?:\\w+)?/?[0-9]+',
  URIPROTO: '[A-Za-z][A-Za-z0-9+.-]*',
  URIHOST: '%{IPORHOST}(?::%{POSINT})?',
  URIPATH: "(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_-]*)+",
  URIQUERY: "[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\\[\\]<>^-]*",
  URIPARAM: '\\?%{URIQUERY}',
  URIPATHPARAM: '%{URIPATH}(?:\\?%{URIQUERY})?',
  URI: '%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?',

  // ---- dates and times
  MONTH: '\\b(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\b',
  MONTHNUM: '0?[1-9]|1[0-2]',
  MONTHNUM2: '0[1-9]|1[0-2]',
  MONTHDAY: '0[1-9]|[12][0-9]|3[01]|[1-9]',
  DAY: '\\b(?i:mon(?:day)?|tue(?:sday)?|wed(?:nesday)?|thu(?:rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\\b',
  YEAR: '(?:[0-9]{2}){1,2}',
  HOUR: '2[0-3]|[01]?[0-9]',
  MINUTE: '[0-5][0-9]',
  // 60 for leap seconds; fraction after `.`, `,` or `:`
  SECOND: '(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?',
  TIME: '%{HOUR}:%{MINUTE}(?::%{SECOND})?',
  DATE_US: '%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}',
  DATE_EU: '%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}',
  DATE: '%{DATE_US}|%{DATE_EU}',
  DATESTAMP: '%{DATE}[- ]%{TIME}',
  ISO8601_TIMEZONE: 'Z|[+-]%{HOUR}(?::?%{MINUTE})?',
  ISO8601_SECOND: '%{SECOND}',
  TIMESTAMP_ISO8601: '%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?',
  TZ: '[APMCE][SD]T|UTC|GMT',
  DATESTAMP_RFC822: '%{DAY} %{MONTH} %{MONTHDAY} %{YEAR} %{TIME} %{TZ}',
  DATESTAMP_RFC2822: '%{DAY}, %{MONTHDAY} %{MONTH} %{YEAR} %{TIME} %{ISO8601_TIMEZONE}',
  DATESTAMP_OTHER: '%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{TZ} %{YEAR}',
  DATESTAMP_EVENTLOG: '%{YEAR}%{MONTHNUM2}%{MONTHDAY}%{HOUR}%{MINUTE}%{SECOND}',
  // Go's log package and nginx's error log: 2006/01/02 15:04:05
  DATESTAMP_SLASH: '%{YEAR}/%{MONTHNUM2}/%{MONTHDAY} %{TIME}',
  // nginx/Apache access log: 10/Oct/2000:13:55:36 -0700
  HTTPDATE: '%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}',
  // Apache error log: Wed Oct 11 14:32:52 2000 (2.4 adds microseconds)
  HTTPDERROR_DATE: '%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{YEAR}',

  // ---- levels
  // the usual level words, any case
  LOGLEVEL: '(?i:alert|trace|debug|notice|info(?:rmation)?|warn(?:ing)?|err(?:or)?|crit(?:ical)?|fatal|severe|emerg(?:ency)?)',

  // ---- syslog (RFC 3164 as files and relays write it; RFC 5424)
  SYSLOGTIMESTAMP: '%{MONTH} +%{MONTHDAY} %{TIME}',
  PROG: '[\\x21-\\x5a\\x5c\\x5e-\\x7e]+',
  SYSLOGPROG: '%{PROG:program}(?:\\[%{POSINT:pid}\\])?',
  SYSLOGHOST: '%{IPORHOST}',
  SYSLOGFACILITY: '<%{NONNEGINT:facility}.%{NONNEGINT:priority}>',
  SYSLOGBASE: '%{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:logsource} %{SYSLOGPROG}:',
  SYSLOGLINE: '%{SYSLOGBASE} ?%{GREEDYDATA:message}',
  SYSLOG5424PRI: '<%{NONNEGINT:priority}>',
  SYSLOG5424SD: '(?:\\[(?:[^\\]\\\\]|\\\\.)*\\])+',
  SYSLOG5424LINE:
    '%{SYSLOG5424PRI}%{NONNEGINT:version} +(?:-|%{TIMESTAMP_ISO8601:timestamp}) +(?:-|%{IPORHOST:logsource})' +
    ' +(?:-|%{NOTSPACE:program}) +(?:-|%{NOTSPACE:pid}) +(?:-|%{NOTSPACE:msgid}) +(?:-|%{SYSLOG5424SD:structured_data})' +
    '(?: +%{GREEDYDATA:message})?',

  // ---- web servers
  HTTPDUSER: '%{EMAILADDRESS}|%{USER}',
  // Apache `common` log format / nginx without referrer and agent
  COMMONAPACHELOG:
    '%{IPORHOST:clientip} %{HTTPDUSER:ident} %{HTTPDUSER:auth} \\[%{HTTPDATE:timestamp}\\] ' +
    '"(?:%{WORD:verb} %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})" (?:-|%{INT:response}) (?:-|%{INT:bytes})',
  // Apache `combined` = nginx's default `combined` format; `-` for no referrer/agent leaves the field out
  COMBINEDAPACHELOG: '%{COMMONAPACHELOG} "(?:-|%{QSCONTENT:referrer})" "(?:-|%{QSCONTENT:agent})"',
  HTTPD_COMMONLOG: '%{COMMONAPACHELOG}',
  HTTPD_COMBINEDLOG: '%{COMBINEDAPACHELOG}',
  // Apache 2.2 `[date] [level] msg` and 2.4 `[date] [module:level] [pid N:tid M] [client ip:port] AHnnnnn: msg`
  APACHE_ERROR:
    '\\[%{HTTPDERROR_DATE:timestamp}\\] \\[(?:%{WORD:module}:)?%{LOGLEVEL:level}[1-8]?\\]' +
    '(?: \\[pid %{POSINT:pid}(?::tid %{INT:tid})?\\])?(?: \\(%{POSINT:errno}\\)%{DATA:errmsg}:)?' +
    '(?: \\[client (?<client>[^\\]\\s]+?)(?::%{POSINT:client_port})?\\])?(?: (?<errorcode>AH[0-9]+):)? %{GREEDYDATA:message}',
  HTTPD_ERRORLOG: '%{APACHE_ERROR}',
  // nginx error log: 2006/01/02 15:04:05 [error] pid#tid: *cid message, client: …, server: …, request: "…", host: "…"
  NGINX_ERROR:
    '%{DATESTAMP_SLASH:timestamp} \\[%{LOGLEVEL:level}\\] %{POSINT:pid}#%{NONNEGINT:tid}: (?:\\*%{NONNEGINT:connection_id} )?' +
    '%{DATA:message}(?:, client: (?<client>[^,\\s]+))?(?:, server: %{DATA:server})?(?:, request: "%{QSCONTENT:request}")?' +
    '(?:, upstream: "%{QSCONTENT:upstream}")?(?:, host: "%{QSCONTENT:host}")?(?:, referrer: "%{QSCONTENT:referrer}")?$',

  // ---- Java (logback, log4j 1/2, Spring Boot)
  JAVACLASS: '(?:[a-zA-Z$_][a-zA-Z$_0-9]*\\.)*[a-zA-Z$_][a-zA-Z$_0-9]*',
  JAVAFILE: '[a-zA-Z$_0-9. -]+',
  JAVAMETHOD: '<(?:cl)?init>|[a-zA-Z$_][a-zA-Z$_0-9]*',
  JAVASTACKTRACEPART: '\\s*at %{JAVACLASS:class}\\.%{JAVAMETHOD:method}\\(%{JAVAFILE:file}(?::%{INT:line})?\\)',
  // thread names may hold one level of brackets: QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181
  JAVATHREAD: '(?:[^\\[\\]]|\\[[^\\[\\]]*\\])+',
  JAVALOGTIME: '%{TIMESTAMP_ISO8601}|%{TIME}',
  // logback/log4j2 default: 15:04:05.000 [main] INFO  com.example.App - message
  JAVA_LOG_LOGBACK: '%{JAVALOGTIME:timestamp} +\\[%{JAVATHREAD:thread}\\] +%{LOGLEVEL:level} +%{JAVACLASS:logger} +- +%{GREEDYDATA:message}',
  // level before thread: 2006-01-02 15:04:05,000 INFO [main] com.example.App - message
  JAVA_LOG_LEVELFIRST: '%{JAVALOGTIME:timestamp} +%{LOGLEVEL:level} +\\[%{JAVATHREAD:thread}\\] +%{JAVACLASS:logger} *[-:] +%{GREEDYDATA:message}',
  // Spring Boot: 2006-01-02T15:04:05.000Z  INFO 4711 --- [app] [main] c.e.App : message
  JAVA_LOG_SPRING:
    '%{TIMESTAMP_ISO8601:timestamp} +%{LOGLEVEL:level} +%{POSINT:pid} +--- +(?:\\[%{DATA:application}\\] +)?' +
    '\\[ *%{JAVATHREAD:thread}\\] +%{JAVACLASS:logger} +: +%{GREEDYDATA:message}',
  // log4j `%d{ISO8601} - %-5p [%t] - %m` (ZooKeeper): 2006-01-02 15:04:05,000 - INFO  [main] - message
  JAVA_LOG_DASHED: '%{TIMESTAMP_ISO8601:timestamp} +- +%{LOGLEVEL:level} +\\[%{JAVATHREAD:thread}\\] +- +%{GREEDYDATA:message}',
  JAVA_LOG: '%{JAVA_LOG_LOGBACK}|%{JAVA_LOG_LEVELFIRST}|%{JAVA_LOG_SPRING}|%{JAVA_LOG_DASHED}',

  // ---- Python (logging module, oslo.log)
  PYTHONLEVEL: 'DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL|NOTSET',
  // logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - %(message)s')
  PYTHON_LOG_DEFAULT: '%{TIMESTAMP_ISO8601:timestamp} - %{NOTSPACE:logger} - %{PYTHONLEVEL:level} - %{GREEDYDATA:message}',
  // oslo.log (OpenStack): 2006-01-02 15:04:05.000 4711 INFO nova.api [req-… - - -] message
  PYTHON_LOG_OSLO: '%{TIMESTAMP_ISO8601:timestamp} %{POSINT:pid} %{PYTHONLEVEL:level} %{NOTSPACE:logger} (?:\\[%{DATA:context}\\] )?%{GREEDYDATA:message}',
  // logging.basicConfig() default: LEVEL:logger:message, at the start of the line
  PYTHON_LOG_BASIC: '^%{PYTHONLEVEL:level}:(?P<logger>[^:\\s]+):%{GREEDYDATA:message}',
  PYTHON_LOG: '%{PYTHON_LOG_DEFAULT}|%{PYTHON_LOG_OSLO}|%{PYTHON_LOG_BASIC}',

  // ---- Go (log, zap, logrus, klog)
  GOLEVEL: 'DEBUG|INFO|WARN|ERROR|DPANIC|PANIC|FATAL|debug|info|warn|error|dpanic|panic|fatal',
  // log.Println with the default flags (optionally Lmicroseconds and Lshortfile/Llongfile)
  GO_LOG_STD: '%{DATESTAMP_SLASH:timestamp} (?:(?P<file>[^:\\s]+\\.go):%{POSINT:line}: )?%{GREEDYDATA:message}',
  // zap console encoder: ts<TAB>LEVEL<TAB>[caller<TAB>]message[<TAB>{json fields}]
  GO_LOG_ZAP: '%{TIMESTAMP_ISO8601:timestamp}\\t%{GOLEVEL:level}\\t(?:(?P<caller>[^\\t]+:[0-9]+)\\t)?(?P<message>[^\\t]*)(?:\\t(?P<fields>\\{.*\\}))?',
  // logrus text formatter: time="…" level=info msg="…" key=value…
  GO_LOG_LOGRUS:
    'time="%{QSCONTENT:timestamp}" level=%{WORD:level} msg=(?:"(?P<message>(?:[^"\\\\]|\\\\.)*)"|(?P<message>\\S*))(?: %{GREEDYDATA:fields})?',
  // logrus on a terminal: INFO[0000] message
  GO_LOG_LOGRUS_TTY: '(?P<level>INFO|WARN|ERRO|DEBU|TRAC|FATA|PANI)\\[%{NONNEGINT:elapsed}\\] +%{GREEDYDATA:message}',
  // klog/glog (Kubernetes): I0102 15:04:05.000000   4711 file.go:42] message
  GO_LOG_KLOG: '(?P<level>[IWEF])(?P<timestamp>%{MONTHNUM2}%{MONTHDAY} %{TIME}) +%{POSINT:pid} (?P<file>[^:\\s]+):%{POSINT:line}\\] %{GREEDYDATA:message}',
  GO_LOG: '%{GO_LOG_STD}|%{GO_LOG_ZAP}|%{GO_LOG_LOGRUS}|%{GO_LOG_LOGRUS_TTY}|%{GO_LOG_KLOG}',
};
