# bash completion for iamgrade: subcommands, each command's options (read
# from its --help, so they follow the binary), profile names from the AWS
# shared files, and the values of --format, --fail-on and help.
# Installed as /usr/share/bash-completion/completions/iamgrade.
# shellcheck disable=SC2207  # COMPREPLY=($(compgen ...)) is how completions split words

_iamgrade_profiles()
{
	local config=${AWS_CONFIG_FILE:-$HOME/.aws/config}
	local creds=${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}
	{
		[ -r "$config" ] && sed -n 's/^[[:space:]]*\[[[:space:]]*\(profile[[:space:]]\{1,\}\)\{0,1\}\([^][[:space:]]*\)[[:space:]]*\].*/\2/p' "$config" |
		    grep -v '^sso-session$\|^services$'
		[ -r "$creds" ] && sed -n 's/^[[:space:]]*\[[[:space:]]*\([^][[:space:]]*\)[[:space:]]*\].*/\1/p' "$creds"
	} 2>/dev/null | sort -u
}

_iamgrade_commands()
{
	"$1" --help 2>/dev/null | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'
}

_iamgrade()
{
	local cur prev cmd i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$(_iamgrade_commands "$1") help --help --version" -- "$cur"))
		return
	fi
	case $prev in
	--profile)
		COMPREPLY=($(compgen -W "$(_iamgrade_profiles)" -- "$cur"))
		return ;;
	--fail-on)
		COMPREPLY=($(compgen -W "critical high medium low" -- "$cur"))
		return ;;
	--format)
		if [ "$cmd" = simulate ] || [ "$cmd" = suggest-policy ]; then
			COMPREPLY=($(compgen -W "text json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "text json csv junit ocsf" -- "$cur"))
		fi
		return ;;
	--out|--baseline)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--region|--endpoint-url|--role-arn|--role-name|--external-id|--mfa-code|--since|--jobs|--shard|--timeout|--report-wait|--set|--action|--resource|--principal|--context)
		return ;;
	esac
	if [ "$cmd" = help ]; then
		COMPREPLY=($(compgen -W "$(_iamgrade_commands "$1")" -- "$cur"))
		return
	fi
	if [ "$cmd" = merge ] && [[ $cur != -* ]]; then
		COMPREPLY=($(compgen -d -- "$cur"))	# the shards' run folders
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("$1" "$cmd" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _iamgrade iamgrade
