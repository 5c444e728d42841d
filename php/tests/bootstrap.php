<?php
/**
 * PHPUnit bootstrap: the package (Composer's autoloader when `composer install` ran here, else the
 * package's own), the test helpers, and Predis (Composer's, else Debian's php-nrk-predis).
 */

declare(strict_types=1);

if (is_file(__DIR__ . '/../vendor/autoload.php')) {
    require __DIR__ . '/../vendor/autoload.php';
} else {
    require __DIR__ . '/../autoload.php';
    spl_autoload_register(static function (string $class): void {
        if (str_starts_with($class, 'RealtimeBookings\\Tests\\')) {
            $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen('RealtimeBookings\\Tests\\'))) . '.php';
            if (is_file($file)) {
                require $file;
            }
        }
    });
}
if (!class_exists(\Predis\Client::class) && is_file('/usr/share/php/Predis/autoload.php')) {
    require '/usr/share/php/Predis/autoload.php';
}
